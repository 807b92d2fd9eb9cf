import { type RedisConnection, redisKeys, SessionRpcError } from '@wagw/queue';

const HOUR_MS = 3600_000;

/**
 * A token bucket per session in Redis (every worker that ever owns the session draws on the same
 * one): `capacity` lookups, refilled evenly over an hour. A whole request is taken or refused, so a
 * refused call costs nothing; Redis' own clock keeps workers on different hosts in step.
 * Returns 0 when taken, else the milliseconds until enough tokens are back.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local capacity = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or capacity)
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or now)
tokens = math.min(capacity, tokens + (now - at) * capacity / window)
local wait = 0
if tokens >= want then tokens = tokens - want else wait = math.ceil((want - tokens) * window / capacity) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], window)
return wait`;

export interface ContactCheckBudgetOptions {
  redis: RedisConnection;
  prefix: string;
  /** CONTACT_CHECK_PER_HOUR: numbers a session may look up on WhatsApp per hour. */
  perHour: number;
}

export function createContactCheckBudget(options: ContactCheckBudgetOptions) {
  const keys = redisKeys(options.prefix);
  return {
    /** Takes `count` lookups from the session's budget or throws RATE_LIMITED with a Retry-After. */
    async take(sessionId: string, count: number): Promise<void> {
      if (count === 0) return;
      const waitMs = Number(
        await options.redis.eval(
          TAKE,
          1,
          keys.contactCheckBudget(sessionId),
          options.perHour,
          HOUR_MS,
          count,
        ),
      );
      if (waitMs <= 0) return;
      const retryAfter = Math.ceil(waitMs / 1000);
      throw new SessionRpcError(
        'RATE_LIMITED',
        `looking up ${count} more numbers would exceed this session's ${options.perHour} per hour ` +
          `(CONTACT_CHECK_PER_HOUR); retry in ${retryAfter} s`,
        retryAfter,
      );
    },
  };
}

export type ContactCheckBudget = ReturnType<typeof createContactCheckBudget>;
