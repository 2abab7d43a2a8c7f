-- Open a vote's ballot box with its electorate, once (a retry changes nothing).
-- KEYS[1] box hash, KEYS[2] weights hash (voter -> weight: member ids, or voter tags for secret ballots)
-- ARGV[1] secrecy (open, secret), ARGV[2] "1" if voters may change their vote, ARGV[3] an advance
-- poll's closing time in milliseconds since the epoch ("" for a poll in the meeting), then voter,
-- weight pairs. An advance poll's box admits each invited voter at their first ballot (cast.lua).
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'status', 'open', 'secrecy', ARGV[1], 'allow_change', ARGV[2], 'cast', 0)
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'closes', ARGV[3])
end
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
return 1
