-- Close a ballot box (again, if a close was retried) and return its count.
-- KEYS[1] box, KEYS[2] counts. Returns {"ok", cast, ballot, count, ...} or {"vote.not_found"}.
if redis.call('EXISTS', KEYS[1]) == 0 then return {'vote.not_found'} end
redis.call('HSET', KEYS[1], 'status', 'closed')
local reply = {'ok', tonumber(redis.call('HGET', KEYS[1], 'cast'))}
for _, v in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')) do
  table.insert(reply, v)
end
return reply
