-- Compare-and-set a meeting on its version, write the participant entries the change wrote, and append
-- the event, atomically.
-- KEYS[1] the meeting's state hash, KEYS[2] its event stream, KEYS[3] its participants hash (member id ->
-- entry); one hash tag, one slot.
-- ARGV[1] the version the change was computed from, ARGV[2] the meeting without its participants,
-- ARGV[3] the event, ARGV[4] "1" if a big room is shown the event (hub/crowds.py), then member id,
-- entry pairs.
-- Returns {1, new version, prior} on success, where prior is the version of the last event shown before
-- this one; {0, current version} when someone committed first.
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then
  return {0, current}
end
local version = current + 1
local prior = tonumber(redis.call('HGET', KEYS[1], 'shown') or current)
redis.call('HSET', KEYS[1], 'version', version, 'state', ARGV[2])
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], 'shown', version)
end
local written = {}
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  table.insert(written, ARGV[i])
end
-- The stream id is the version, so "events since v" is one XRANGE. `p` names the entries written (ids
-- hold no spaces), so another process can bring its copy up to date by reading just those.
if #written > 0 then
  redis.call('XADD', KEYS[2], version .. '-0', 'e', ARGV[3], 'p', table.concat(written, ' '))
else
  redis.call('XADD', KEYS[2], version .. '-0', 'e', ARGV[3])
end
return {1, version, prior}
