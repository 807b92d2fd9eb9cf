import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '@wagw/queue';

/**
 * A per-task run lock: `SET key token NX PX ttl`, renewed while the run lasts, released by
 * compare-and-delete so a run never frees a lock that has since passed to another replica.
 *
 * Why a lock on top of BullMQ: a job scheduler produces one job per interval, but when a run
 * outlasts its interval the next job is due while the first is still active, and another scheduler
 * replica takes it. The tasks are safe to overlap (every write is a compare-and-set), but two
 * replicas racing over the same rows only produce noise in the reports and the session history.
 */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Default lock TTL: long enough to survive a slow query, short enough that a crashed run frees it soon. */
const DEFAULT_RUN_LOCK_TTL_MS = 60_000;

/** The lock key of one task, under the deployment prefix (next to, never inside, BullMQ's keys). */
export function runLockKey(prefix: string, task: string): string {
  return `${prefix}:maintenance-lock:${task}`;
}

interface RunLockOptions {
  redis: RedisConnection;
  key: string;
  /**
   * Lock lifetime in ms, renewed every third of it while the run lasts, so it only matters when the
   * process dies mid-run: the lock then frees itself after this long. Default: 60000.
   */
  ttlMs?: number;
}

type LockedResult<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Runs `fn` only if the lock is free; otherwise resolves `{ acquired: false }` at once without
 * waiting (the run that holds it does the work, and the next interval comes soon enough).
 */
export async function withRunLock<T>(
  options: RunLockOptions,
  fn: () => Promise<T>,
): Promise<LockedResult<T>> {
  const { redis, key } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_RUN_LOCK_TTL_MS;
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return { acquired: false };

  // A failed renewal is not fatal: every write of the tasks is a compare-and-set, so at worst a
  // second run overlaps this one after the TTL; the next renewal tries again.
  const renewal = setInterval(
    () => void redis.eval(RENEW, 1, key, token, ttlMs).catch(() => undefined),
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  renewal.unref();
  try {
    return { acquired: true, value: await fn() };
  } finally {
    clearInterval(renewal);
    // If Redis is down the lock simply expires after its TTL.
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
