-- What a process holding a meeting at version ARGV[1] is missing: the meeting without its participants
-- and only the participant entries written since, read together so they belong to one version.
-- KEYS as commit.lua. ARGV[1] the version held, ARGV[2] the most events to read (beyond it, load the
-- whole meeting), ARGV[3] the tag of the version held (see commit.lua).
-- Returns {version} when nothing changed, {version, tag, state, core tag, counts} when the whole meeting
-- must be loaded, or {version, tag, state, core tag, counts, 'entries', member id, entry, ...}; counts are
-- {name, count, ...}.
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
local tag = redis.call('HGET', KEYS[1], 'tag') or ''
local held = tonumber(ARGV[1])
if version == held and tag == ARGV[3] then
  return {version}
end
local state = redis.call('HGET', KEYS[1], 'state')
local core = redis.call('HGET', KEYS[1], 'core') or ''
local counts = redis.call('HGETALL', KEYS[4])
if version <= held or version - held > tonumber(ARGV[2]) then
  return {version, tag, state, core, counts}
end
local reply = {version, tag, state, core, counts, 'entries'}
local seen = {}
for _, entry in ipairs(redis.call('XRANGE', KEYS[2], (held + 1) .. '-0', '+')) do
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'p' then
      for member_id in string.gmatch(fields[i + 1], '%S+') do
        if not seen[member_id] then
          seen[member_id] = true
          table.insert(reply, member_id)
          table.insert(reply, redis.call('HGET', KEYS[3], member_id))
        end
      end
    end
  end
end
return reply
