import { AppError } from '@wagw/errors';
import type { RedisConnection } from '@wagw/queue';
import { withTimeout } from '@wagw/resilience';

/** Seconds a client is told to wait (Retry-After) when Redis is unreachable. */
export const REDIS_RETRY_AFTER_S = 5;

/**
 * Upper bound on one Redis operation made for a request. The producer connection already rejects
 * at once when it is down, but BullMQ waits for its own initialisation (INFO, script loading) on a
 * connection that was never ready; this bound keeps that from hanging a client.
 */
const REDIS_CALL_TIMEOUT_MS = 3000;

function redisUnavailable(cause?: unknown): AppError {
  return new AppError('QUEUE_UNAVAILABLE', 'Redis is unreachable; retry shortly', {
    cause,
    retryAfter: REDIS_RETRY_AFTER_S,
  });
}

/**
 * Runs `operation` against Redis and turns any failure (connection down, timeout) into a 503
 * QUEUE_UNAVAILABLE. A connection that is not ready fails before anything is sent.
 */
export async function withRedis<T>(redis: RedisConnection, operation: () => Promise<T>): Promise<T> {
  if (redis.status !== 'ready') throw redisUnavailable(new Error(`redis connection is ${redis.status}`));
  try {
    return await withTimeout(() => operation(), REDIS_CALL_TIMEOUT_MS);
  } catch (err) {
    throw err instanceof AppError ? err : redisUnavailable(err);
  }
}
