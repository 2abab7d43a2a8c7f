-- Cast one ballot atomically: exactly one per voter, however often it is retried.
-- KEYS[1] box, KEYS[2] weights (voter -> weight), KEYS[3] ballots (member -> choice; open votes only),
-- KEYS[4] voted (sorted set of voter tags, all scored 0; secret ballots), KEYS[5] receipts (unused here),
-- KEYS[6] counts (choice -> weighted count).
-- ARGV[1] voter: the member id in an open vote, the voter's tag in a secret ballot; ARGV[2] choice.
-- Returns {"ok", cast} or {error code} ({"vote.already_voted", cast} for a secret ballot already in).
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'vote.not_found'} end
if status ~= 'open' then return {'vote.closed'} end
local weight = tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
if not weight then return {'vote.not_eligible'} end
if redis.call('HGET', KEYS[1], 'method') == 'secret' then
  -- Who voted (a tag the hub derives with a key Redis never sees) and what was chosen are kept apart,
  -- and nothing is kept per ballot: a sorted set of score 0 keeps no casting order.
  if redis.call('ZADD', KEYS[4], 'NX', 0, ARGV[1]) == 0 then
    return {'vote.already_voted', tonumber(redis.call('HGET', KEYS[1], 'cast'))}
  end
  redis.call('HINCRBY', KEYS[6], ARGV[2], weight)
  return {'ok', redis.call('HINCRBY', KEYS[1], 'cast', 1)}
end
local previous = redis.call('HGET', KEYS[3], ARGV[1])
if previous == ARGV[2] then
  return {'ok', tonumber(redis.call('HGET', KEYS[1], 'cast'))}
end
if previous then
  if redis.call('HGET', KEYS[1], 'allow_change') ~= '1' then return {'vote.already_voted'} end
  redis.call('HINCRBY', KEYS[6], previous, -weight)
else
  redis.call('HINCRBY', KEYS[1], 'cast', 1)
end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[6], ARGV[2], weight)
return {'ok', tonumber(redis.call('HGET', KEYS[1], 'cast'))}
