-- Open a vote's ballot box with its electorate, once (a retry changes nothing).
-- KEYS[1] box hash, KEYS[2] weights hash (voter -> weight: member ids, or voter tags for secret ballots)
-- ARGV[1] secrecy (open, secret), ARGV[2] "1" if voters may change their vote, then voter, weight pairs.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'status', 'open', 'secrecy', ARGV[1], 'allow_change', ARGV[2], 'cast', 0)
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
return 1
