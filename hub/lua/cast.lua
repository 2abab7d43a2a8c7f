-- Cast one ballot atomically: exactly one per voter, however often it is retried.
-- KEYS[1] box, KEYS[2] weights (voter -> weight), KEYS[3] ballots (member -> ballot; open votes only),
-- KEYS[4] voted (sorted set of voter tags, all scored 0; secret ballots), KEYS[5] receipts (unused here),
-- KEYS[6] counts (sorted set: ballot -> weighted count).
-- ARGV[1] voter: the member id in an open vote, the voter's tag in a secret ballot; ARGV[2] the ballot
-- (an option, options joined by "+", or a ranking joined by ">": hub/polls.py); ARGV[3], in an advance
-- poll, the voter's weight, admitting them at their first ballot (the hub checked they are invited
-- with a vote). A weight of 0 is a voter struck off.
-- Returns {"ok", cast} or {error code} ({"vote.already_voted", cast} for a secret ballot already in).
-- The counts are a sorted set, which keeps its members in order of count and then of bytes: unlike a
-- small hash it keeps no trace of which ballot came first.
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'vote.not_found'} end
if status ~= 'open' then return {'vote.closed'} end
local closes = redis.call('HGET', KEYS[1], 'closes')
if closes then
  local now = redis.call('TIME')
  if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) >= tonumber(closes) then
    return {'vote.closed'}
  end
end
local weight = tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
if not weight and closes and ARGV[3] then
  weight = tonumber(ARGV[3])
  redis.call('HSET', KEYS[2], ARGV[1], weight)
end
if not weight or weight == 0 then return {'vote.not_eligible'} end
if redis.call('HGET', KEYS[1], 'secrecy') == 'secret' then
  -- Who voted (a tag the hub derives with a key Redis never sees) and what was chosen are kept apart,
  -- and nothing is kept per ballot: a sorted set of score 0 keeps no casting order.
  if redis.call('ZADD', KEYS[4], 'NX', 0, ARGV[1]) == 0 then
    return {'vote.already_voted', tonumber(redis.call('HGET', KEYS[1], 'cast'))}
  end
  redis.call('ZINCRBY', KEYS[6], weight, ARGV[2])
  return {'ok', redis.call('HINCRBY', KEYS[1], 'cast', 1)}
end
local previous = redis.call('HGET', KEYS[3], ARGV[1])
if previous == ARGV[2] then
  return {'ok', tonumber(redis.call('HGET', KEYS[1], 'cast'))}
end
if previous then
  if redis.call('HGET', KEYS[1], 'allow_change') ~= '1' then return {'vote.already_voted'} end
  if tonumber(redis.call('ZINCRBY', KEYS[6], -weight, previous)) <= 0 then
    redis.call('ZREM', KEYS[6], previous)
  end
else
  redis.call('HINCRBY', KEYS[1], 'cast', 1)
end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('ZINCRBY', KEYS[6], weight, ARGV[2])
return {'ok', tonumber(redis.call('HGET', KEYS[1], 'cast'))}
