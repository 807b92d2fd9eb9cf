/**
 * The Lua side of the shared endpoint guards (endpoint-guards.ts). Each script is one atomic step
 * on one endpoint's keys, so workers never see each other's half-done changes. Time is Redis'
 * (TIME), not the caller's: workers on hosts with skewed clocks agree on expiries and open-until.
 *
 * KEYS of every script: [1] slots (sorted set: holder token → expires at, ms), [2] breaker (hash:
 * failures, openUntil), [3] probe (string: the token of the one half-open probe in flight).
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Enter: check the breaker, then take a slot. ARGV: token, limit, slot lease ms, probe ttl ms.
 * Returns {code, ms}: 0 = slot taken; 1 = slot taken as the half-open probe; 2 = breaker open for
 * `ms` more (or a probe already in flight); 3 = every slot taken. Expired holders (a killed worker's)
 * are dropped first, which is how their slots free themselves.
 */
export const ENTER = `${NOW}
local openUntil = tonumber(redis.call('HGET', KEYS[2], 'openUntil') or '0')
local probe = 0
if openUntil > 0 then
  if now < openUntil then return {2, openUntil - now} end
  if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[4]) then return {2, 0} end
  probe = 1
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  if probe == 1 then redis.call('DEL', KEYS[3]) end
  return {3, 0}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {probe, 0}`;

/**
 * Leave: free the slot and record the outcome. ARGV: token, outcome (`ok` | `fail`), threshold,
 * reset ms, idle ms (how long a breaker with failures is remembered without new ones).
 * Returns {transition, ms}: 0 = none, 1 = this call opened the breaker (for `ms`), 2 = closed it.
 * Like a local consecutive-failure breaker: a success resets the count while closed; failures of
 * calls that started before it opened change nothing; the probe's outcome closes or reopens it.
 */
export const LEAVE = `${NOW}
redis.call('ZREM', KEYS[1], ARGV[1])
local wasProbe = redis.call('GET', KEYS[3]) == ARGV[1]
if wasProbe then redis.call('DEL', KEYS[3]) end
local openUntil = tonumber(redis.call('HGET', KEYS[2], 'openUntil') or '0')
local reset = tonumber(ARGV[4])
if ARGV[2] == 'ok' then
  if wasProbe then
    redis.call('DEL', KEYS[2])
    return {2, 0}
  end
  if openUntil == 0 then redis.call('DEL', KEYS[2]) end
  return {0, 0}
end
if wasProbe then
  redis.call('HSET', KEYS[2], 'openUntil', now + reset)
  redis.call('PEXPIRE', KEYS[2], reset + tonumber(ARGV[5]))
  return {1, reset}
end
if openUntil > 0 then return {0, 0} end
local failures = redis.call('HINCRBY', KEYS[2], 'failures', 1)
if failures >= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[2], 'openUntil', now + reset)
  redis.call('PEXPIRE', KEYS[2], reset + tonumber(ARGV[5]))
  return {1, reset}
end
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {0, 0}`;

/**
 * Renew: extend the leases of holders still in the set (never re-adds one that expired: its slot
 * may be someone else's by now). KEYS[1] = slots; ARGV: lease ms, tokens...
 */
export const RENEW = `${NOW}
local expiry = now + tonumber(ARGV[1])
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then redis.call('ZADD', KEYS[1], 'XX', expiry, ARGV[i]) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/**
 * Read the breakers of several endpoints: KEYS are their breaker hashes. Returns, per key, -1 when
 * closed, else the ms left open (0: a probe is due, i.e. half-open).
 */
export const READ_BREAKERS = `${NOW}
local out = {}
for i, key in ipairs(KEYS) do
  local openUntil = tonumber(redis.call('HGET', key, 'openUntil') or '0')
  if openUntil == 0 then out[i] = -1 else out[i] = math.max(0, openUntil - now) end
end
return out`;
