-- Cast one ballot atomically: exactly one per member, however often it is retried.
-- KEYS[1] box, KEYS[2] weights, KEYS[3] ballots (member -> choice; open votes only),
-- KEYS[4] voted (set of members; secret ballots), KEYS[5] receipts (receipt -> choice; secret ballots),
-- KEYS[6] counts (choice -> weighted count).
-- ARGV[1] member, ARGV[2] choice, ARGV[3] receipt (secret ballots).
-- Returns {"ok", receipt, cast} or {error code}.
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'vote.not_found'} end
if status ~= 'open' then return {'vote.closed'} end
local weight = tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
if not weight then return {'vote.not_eligible'} end
if redis.call('HGET', KEYS[1], 'method') == 'secret' then
  -- No record links the member to the choice: who voted goes to one key, what was chosen to another.
  if redis.call('SADD', KEYS[4], ARGV[1]) == 0 then return {'vote.already_voted'} end
  redis.call('HSET', KEYS[5], ARGV[3], ARGV[2])
  redis.call('HINCRBY', KEYS[6], ARGV[2], weight)
  return {'ok', ARGV[3], redis.call('HINCRBY', KEYS[1], 'cast', 1)}
end
local previous = redis.call('HGET', KEYS[3], ARGV[1])
if previous == ARGV[2] then
  return {'ok', '', tonumber(redis.call('HGET', KEYS[1], 'cast'))}
end
if previous then
  if redis.call('HGET', KEYS[1], 'allow_change') ~= '1' then return {'vote.already_voted'} end
  redis.call('HINCRBY', KEYS[6], previous, -weight)
else
  redis.call('HINCRBY', KEYS[1], 'cast', 1)
end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[6], ARGV[2], weight)
return {'ok', '', tonumber(redis.call('HGET', KEYS[1], 'cast'))}
