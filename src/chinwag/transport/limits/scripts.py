"""The Redis keys and Lua scripts behind :class:`.cluster_limits.RedisUserLimits`.

Each script runs atomically in Redis and reads its clock (``TIME``), so processes with skewed
clocks agree; :mod:`~chinwag.transport.limits.cluster_limits` describes the scheme they implement.
"""

from __future__ import annotations

_NOW_MS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

#: Prune the stale members, then add this one unless the user is at the limit (1 or 0).
ADMIT_LUA = (
    "-- KEYS[1] the user's sockets; ARGV member, limit, stale window ms, key TTL ms"
    + _NOW_MS
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
if not redis.call('ZSCORE', KEYS[1], ARGV[1])
    and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""
)

#: Re-score this process's live members of one user as seen now.
HEARTBEAT_LUA = (
    "-- KEYS[1] the user's sockets; ARGV key TTL ms, then this process's live members"
    + _NOW_MS
    + """
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], now, ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return #ARGV - 1
"""
)

#: Take one token from a user's bucket: 0, or the ms to wait for one.
BUCKET_LUA = """
-- KEYS[1] the user's bucket; ARGV rate (tokens/s), burst. Returns 0 or the ms to wait.
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(state[1]) or burst
local stamp = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate / 1000000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'stamp', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return wait
"""


def sockets_key(user_id: str) -> str:
    """The sorted set of a user's sockets across the cluster."""
    return f"chinwag:sockets:{user_id}"


def bucket_key(user_id: str) -> str:
    """The hash holding a user's token bucket."""
    return f"chinwag:rl:user:{user_id}"
