import type { RedisConnection } from '@wagw/queue';
import { withTimeout } from '@wagw/resilience';

export interface SignOutListOptions {
  /** The fail-fast producer connection: every replica reads the same list. */
  redis: RedisConnection;
  /** Key prefix (QUEUE_PREFIX); entries live at `<prefix>:dashboard:signed-out:<sign-in id>`. */
  redisPrefix: string;
  /**
   * Longest wait for Redis on a request before the cookie is taken as not signed out. Default
   * 250 ms, like the rate limiter: a slow Redis must not add its latency to every dashboard request.
   */
  timeoutMs?: number;
}

/**
 * The sign-ins that were signed out before their cookie expired. The cookie is stateless, so
 * without this a copy of it (a shared computer, a proxy log) would keep working until it expires;
 * each entry lives exactly as long as the cookie it ends, so the list never outgrows the sign-ins
 * of one DASHBOARD_SESSION_TTL.
 *
 * Reads fail open: with Redis down or slow a signed-out cookie works until Redis answers again (or
 * the cookie expires). Refusing every cookie instead would lock operators out of the dashboard in
 * the very outage they open it for; the rest of the API needs Redis anyway.
 */
export function createSignOutList(options: SignOutListOptions) {
  const { redis } = options;
  const timeoutMs = options.timeoutMs ?? 250;
  const key = (signInId: string) => `${options.redisPrefix}:dashboard:signed-out:${signInId}`;

  function ready(): void {
    if (redis.status !== 'ready') throw new Error(`redis connection is ${redis.status}`);
  }

  return {
    /** Records a sign-out until `expiresAt` (epoch ms), when the cookie would expire anyway. */
    async add(signInId: string, expiresAt: number): Promise<void> {
      ready();
      const ttlMs = Math.max(1, expiresAt - Date.now());
      await withTimeout(() => redis.set(key(signInId), '1', 'PX', ttlMs), timeoutMs);
    },

    /** True when the sign-in was signed out; throws when Redis cannot say (the caller fails open). */
    async has(signInId: string): Promise<boolean> {
      ready();
      return (await withTimeout(() => redis.exists(key(signInId)), timeoutMs)) === 1;
    },
  };
}

export type SignOutList = ReturnType<typeof createSignOutList>;
