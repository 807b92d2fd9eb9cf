import { AppError } from '@wagw/errors';
import type { RedisConnection } from '@wagw/queue';
import type { FastifyRequest } from 'fastify';
import { countInWindow } from './rate-limit.js';

export interface AuthFailureLimitOptions {
  /** The fail-fast producer connection: every replica counts in the same Redis keys. */
  redis: RedisConnection;
  /** Key prefix (QUEUE_PREFIX); counters live at `<prefix>:authfail:<client address>`. */
  redisPrefix: string;
  /** Failed attempts per client address per window before it is blocked (AUTH_FAILURES_PER_MINUTE); 0 = off. */
  limit: number;
  /** Window length. Default 60000 ms. */
  windowMs?: number;
  /** Longest wait for Redis before a failure goes uncounted. Default 250 ms, as for the rate limit. */
  timeoutMs?: number;
}

/** Log "Redis down, failures uncounted" at most this often, not once per request. */
const FAIL_OPEN_LOG_INTERVAL_MS = 30_000;
/** Blocked addresses remembered per replica; expired ones are dropped past this size. */
const MAX_BLOCKED = 10_000;

export type AuthFailureLimit = ReturnType<typeof createAuthFailureLimit>;

/**
 * Limits failed authentication per client address (`request.ip`: the proxy's own unless
 * TRUST_PROXY is set), so a key cannot be guessed at the speed of the API. Failures (a wrong key,
 * a wrong metrics token) are counted in Redis in the fixed-window script of the rate limit, so
 * all replicas share one count. Once an address reaches the limit, every attempt that presents a
 * credential, right or wrong, is answered 429 RATE_LIMITED with Retry-After until the window ends.
 *
 * The block itself is remembered per replica (checking Redis on every authenticated request would
 * double the API's Redis round trips): a replica learns it from its own next failure from that
 * address, so a guesser gets at most one more try per replica per window. Fails open like the
 * rate limit: with Redis down, failures go uncounted rather than locking everyone out.
 */
export function createAuthFailureLimit(options: AuthFailureLimitOptions) {
  const windowMs = options.windowMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 250;
  const blockedUntil = new Map<string, number>();
  let lastFailOpenLog = 0;

  function blocked(untilMs: number): AppError {
    const retryAfter = Math.max(1, Math.ceil((untilMs - Date.now()) / 1000));
    return new AppError(
      'RATE_LIMITED',
      `too many failed authentication attempts from this address; retry in ${retryAfter} s`,
      { retryAfter },
    );
  }

  function remember(ip: string, untilMs: number): void {
    const now = Date.now();
    if (blockedUntil.size >= MAX_BLOCKED) {
      for (const [address, until] of blockedUntil) if (until <= now) blockedUntil.delete(address);
    }
    if (blockedUntil.size < MAX_BLOCKED) blockedUntil.set(ip, untilMs);
  }

  return {
    /** Throws 429 RATE_LIMITED while the caller's address is blocked. Call before checking a credential. */
    assertAllowed(request: FastifyRequest): void {
      const until = blockedUntil.get(request.ip);
      if (until === undefined) return;
      if (until > Date.now()) throw blocked(until);
      blockedUntil.delete(request.ip);
    },

    /**
     * Counts a failed attempt. Returns the 429 to answer instead of the 401 once the address is
     * over the limit (the attempt that reaches it still gets its 401), undefined otherwise.
     */
    async recordFailure(request: FastifyRequest): Promise<AppError | undefined> {
      if (options.limit <= 0) return undefined;
      let count: number;
      let leftMs: number;
      try {
        [count, leftMs] = await countInWindow(
          options.redis,
          `${options.redisPrefix}:authfail:${request.ip}`,
          windowMs,
          timeoutMs,
        );
      } catch (err) {
        const now = Date.now();
        if (now - lastFailOpenLog >= FAIL_OPEN_LOG_INTERVAL_MS) {
          lastFailOpenLog = now;
          request.log.warn({ err }, 'failed-authentication limit unavailable, failures uncounted');
        }
        return undefined;
      }
      if (count < options.limit) return undefined;
      const until = Date.now() + leftMs;
      remember(request.ip, until);
      if (count === options.limit) {
        request.log.warn(
          { ip: request.ip, failures: count },
          'client address blocked after failed authentication',
        );
        return undefined;
      }
      return blocked(until);
    },
  };
}
