import { AppError } from '@wagw/errors';
import type { RedisConnection } from '@wagw/queue';
import { withTimeout } from '@wagw/resilience';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from './error-handler.js';

export interface RateLimitOptions {
  /** The fail-fast producer connection: every replica counts in the same Redis keys. */
  redis: RedisConnection;
  /** Key prefix (QUEUE_PREFIX); counters live at `<prefix>:ratelimit:<keyId>`. */
  redisPrefix: string;
  /** Requests per key per window; 0 turns the limiter off. */
  limit: number;
  /** Window length. Default 60000 ms (RATE_LIMIT_PER_MINUTE). */
  windowMs?: number;
  /**
   * Longest wait for Redis before the request is let through uncounted. Default 250 ms: a slow Redis
   * must not add its latency to every request.
   */
  timeoutMs?: number;
}

/**
 * Fixed window per key, started by the key's first request: INCR, and PEXPIRE when the counter was
 * just created, in one script so concurrent replicas never lose the expiry (a counter without TTL
 * would block a key forever). Returns the count and the milliseconds left in the window.
 */
const WINDOW_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;

type WindowRedis = RedisConnection & {
  wagwRateLimitWindow(key: string, windowMs: number): Promise<[number, number]>;
};

/**
 * Counts one more event in the fixed window at `key` (the first event starts it) and returns the
 * count and the milliseconds left. Throws when Redis is not ready or slower than `timeoutMs`:
 * callers fail open. Shared by the per-key limit and the failed-authentication limit.
 */
export function countInWindow(redis: RedisConnection, key: string, windowMs: number, timeoutMs: number) {
  const scripted = redis as WindowRedis;
  if (typeof scripted.wagwRateLimitWindow !== 'function') {
    // EVALSHA with a transparent EVAL fallback: the script body is sent once per connection.
    redis.defineCommand('wagwRateLimitWindow', { numberOfKeys: 1, lua: WINDOW_SCRIPT });
  }
  if (redis.status !== 'ready') return Promise.reject(new Error(`redis connection is ${redis.status}`));
  return withTimeout(() => scripted.wagwRateLimitWindow(key, windowMs), timeoutMs);
}

/** Log "Redis down, not limiting" at most this often, not once per request. */
const FAIL_OPEN_LOG_INTERVAL_MS = 30_000;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A route that needs no key (dashboard sign-in) counts its requests per client address instead,
     * at most `limit` per window (and never more than the per-key limit), in a budget of its own
     * `name`. The client address is `request.ip`: the proxy's own unless TRUST_PROXY is set.
     */
    clientIpRateLimit?: { name: string; limit: number };
  }
}

/**
 * Which budget a request draws from, and its size: its stored key's id; the config API_KEY counts
 * as "admin"; a keyless route that declares `clientIpRateLimit` counts per client address.
 */
function budgetOf(request: FastifyRequest, limit: number): { id: string; limit: number } | undefined {
  const principal = request.principal;
  if (principal) return { id: principal.keyId ?? 'admin', limit };
  const perIp = request.routeOptions.config?.clientIpRateLimit;
  if (!perIp) return undefined;
  return { id: `${perIp.name}:${request.ip}`, limit: Math.min(perIp.limit, limit) };
}

/**
 * Per-key rate limiting shared by all API replicas through Redis. Runs after authentication, so
 * only authenticated requests count (public health probes and docs are never limited), plus the
 * keyless routes that ask to be counted per client address (sign-in: a bad-key flood gets 429).
 *
 * Fails open: when Redis is down or slow the request goes through uncounted and a warning is
 * logged. Blocking every request because the limiter's store is unreachable would turn a Redis
 * outage into a full API outage; sends need Redis anyway and already answer 503 on their own.
 */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  if (options.limit <= 0) return;
  const windowMs = options.windowMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 250;
  let lastFailOpenLog = 0;

  function count(keyId: string): Promise<[number, number]> {
    return countInWindow(options.redis, `${options.redisPrefix}:ratelimit:${keyId}`, windowMs, timeoutMs);
  }

  app.addHook('onRequest', async (request, reply) => {
    const budget = budgetOf(request, options.limit);
    if (budget === undefined) return;
    const { id: keyId, limit } = budget;
    let used: number;
    let resetMs: number;
    try {
      [used, resetMs] = await count(keyId);
    } catch (err) {
      const now = Date.now();
      if (now - lastFailOpenLog >= FAIL_OPEN_LOG_INTERVAL_MS) {
        lastFailOpenLog = now;
        request.log.warn({ err }, 'rate limiter unavailable, letting requests through uncounted');
      }
      return;
    }
    const resetS = Math.max(1, Math.ceil(resetMs / 1000));
    void reply.header('x-ratelimit-limit', String(limit));
    void reply.header('x-ratelimit-remaining', String(Math.max(0, limit - used)));
    void reply.header('x-ratelimit-reset', String(resetS));
    if (used <= limit) return;
    const err = new AppError(
      'RATE_LIMITED',
      `rate limit of ${limit} requests per ${windowMs / 1000} s exceeded`,
      {
        retryAfter: resetS,
      },
    );
    request.log.info({ code: err.code, keyId }, 'request rejected');
    // Answered here rather than thrown, like auth: Bull Board has its own error handler.
    return sendError(reply, request, err);
  });
}
