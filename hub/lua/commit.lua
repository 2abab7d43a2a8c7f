-- Compare-and-set a meeting's state on its version and append the event, atomically.
-- KEYS[1] the meeting's state hash, KEYS[2] its event stream (same hash tag, same slot).
-- ARGV[1] the version the change was computed from, ARGV[2] the new state, ARGV[3] the event.
-- Returns {1, new version} on success, {0, current version} when someone committed first.
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then
  return {0, current}
end
local version = current + 1
redis.call('HSET', KEYS[1], 'version', version, 'state', ARGV[2])
-- The stream id is the version, so "events since v" is one XRANGE.
redis.call('XADD', KEYS[2], version .. '-0', 'e', ARGV[3])
return {1, version}
