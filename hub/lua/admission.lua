-- What admitting a join link reads, as one call that a crowd connecting at once shares pipelines on
-- (hub/store.py `Batched`): whether the link was revoked, the member, and the meeting's branch.
-- KEYS[1] the link's revocation key, KEYS[2] the member, KEYS[3] the branch.
-- Returns {revoked (0 or 1), member or false, branch or false}.
return {redis.call('EXISTS', KEYS[1]), redis.call('GET', KEYS[2]), redis.call('GET', KEYS[3])}
