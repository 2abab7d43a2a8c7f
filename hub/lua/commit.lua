-- Compare-and-set a meeting on its version, write the participant entries the change wrote, and append
-- the event, atomically.
-- KEYS[1] the meeting's state hash, KEYS[2] its event stream, KEYS[3] its participants hash (member id ->
-- entry), KEYS[4] its presence counts (name -> count); one hash tag, one slot.
-- ARGV[1] the version the change was computed from and ARGV[2] that version's tag (a commit's own
-- random name: a process may compute a change on top of its own commit still on its way, which must
-- fail if that commit did, even when another made the same version number), ARGV[3] this commit's tag,
-- ARGV[4] the meeting without its participants, ARGV[5] the event, ARGV[6] "1" if a big room is shown
-- the event (hub/crowds.py), ARGV[7] the presence counts after it ("name=n name=n ..."), then member id,
-- entry pairs.
-- The counts live in a hash of their own so that commute.lua can add to them; the tag is also kept as
-- `core`, the last commit that may have changed more than entries and counts.
-- Returns {1, new version, prior, previous tag} on success, where prior is the version of the last event
-- shown before this one; {0, current version} when someone committed first.
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
local previous = redis.call('HGET', KEYS[1], 'tag') or ''
if current ~= tonumber(ARGV[1]) or previous ~= ARGV[2] then
  return {0, current}
end
local version = current + 1
local prior = tonumber(redis.call('HGET', KEYS[1], 'shown') or current)
redis.call('HSET', KEYS[1], 'version', version, 'tag', ARGV[3], 'core', ARGV[3], 'state', ARGV[4])
for name, count in string.gmatch(ARGV[7], '(%w+)=(%d+)') do
  redis.call('HSET', KEYS[4], name, count)
end
if ARGV[6] == '1' then
  redis.call('HSET', KEYS[1], 'shown', version)
end
local written = {}
for i = 8, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  table.insert(written, ARGV[i])
end
-- The stream id is the version, so "events since v" is one XRANGE. `p` names the entries written (ids
-- hold no spaces), so another process can bring its copy up to date by reading just those.
if #written > 0 then
  redis.call('XADD', KEYS[2], version .. '-0', 'e', ARGV[5], 'p', table.concat(written, ' '))
else
  redis.call('XADD', KEYS[2], version .. '-0', 'e', ARGV[5])
end
return {1, version, prior, previous}
