-- Bring a ballot box opened before polls to this release's layout, once: its `method` (hands, secret,
-- card) becomes `secrecy`, and its counts (a hash, choice -> count) a sorted set.
-- KEYS[1] box, KEYS[2] counts. Returns 1 if it changed the box.
local method = redis.call('HGET', KEYS[1], 'method')
if not method then return 0 end
redis.call('HSET', KEYS[1], 'secrecy', method == 'secret' and 'secret' or 'open')
redis.call('HDEL', KEYS[1], 'method')
if redis.call('TYPE', KEYS[2]).ok == 'hash' then
  local counts = redis.call('HGETALL', KEYS[2])
  redis.call('DEL', KEYS[2])
  for i = 1, #counts, 2 do
    redis.call('ZADD', KEYS[2], counts[i + 1], counts[i])
  end
end
return 1
