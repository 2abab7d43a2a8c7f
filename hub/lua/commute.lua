-- Commit a change that writes only participant entries and adds to the presence counts (a member
-- joining or leaving a big room), without comparing the version: such changes commute, so two
-- processes' joins need not take turns on the version. It holds only if what the change was computed
-- from still holds: no other kind of commit since (`core`), each entry as the change found it, and the
-- quorum met, or not, before and after as the change found it (the chair's next steps follow from it).
-- KEYS as commit.lua.
-- ARGV[1] the `core` tag the change was computed under, ARGV[2] this commit's tag, ARGV[3] the event,
-- ARGV[4] what to add to every count ("name=n name=-n ...", zeros too), ARGV[5] the quorum required, ARGV[6] "1" if
-- the quorum is met before and after, then member id, entry before ("" if none), entry after triples.
-- Returns {1, new version, prior, previous tag, name, count, ...} with every count after it; {0} when
-- the change must be computed again (on the latest version, and committed by commit.lua).
if (redis.call('HGET', KEYS[1], 'core') or '') ~= ARGV[1] then
  return {0}
end
for i = 7, #ARGV, 3 do
  if (redis.call('HGET', KEYS[3], ARGV[i]) or '') ~= ARGV[i + 1] then
    return {0}
  end
end
local voting = tonumber(redis.call('HGET', KEYS[4], 'voting') or '-1')
local added = 0
for name, count in string.gmatch(ARGV[4], '(%w+)=(-?%d+)') do
  if name == 'voting' then added = tonumber(count) end
end
local required = tonumber(ARGV[5])
local quorate = ARGV[6] == '1'
if voting < 0 or (voting >= required) ~= quorate or (voting + added >= required) ~= quorate then
  return {0}
end
local current = tonumber(redis.call('HGET', KEYS[1], 'version'))
local previous = redis.call('HGET', KEYS[1], 'tag') or ''
local version = current + 1
local prior = tonumber(redis.call('HGET', KEYS[1], 'shown') or current)
redis.call('HSET', KEYS[1], 'version', version, 'tag', ARGV[2])
local reply = {1, version, prior, previous}
local counts = {}
for name, count in string.gmatch(ARGV[4], '(%w+)=(-?%d+)') do
  local after = redis.call('HINCRBY', KEYS[4], name, count)
  table.insert(reply, name)
  table.insert(reply, after)
  table.insert(counts, name .. '=' .. after)
end
local written = {}
for i = 7, #ARGV, 3 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2])
  table.insert(written, ARGV[i])
end
-- `n`: the counts after it, which the event's patch leaves to the reader (hub/store.py `_events`),
-- since only here are they known.
redis.call('XADD', KEYS[2], version .. '-0', 'e', ARGV[3], 'p', table.concat(written, ' '), 'n',
  table.concat(counts, ' '))
return reply
