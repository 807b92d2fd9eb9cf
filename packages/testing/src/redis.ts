import { randomBytes } from 'node:crypto';

/** Test Redis. Default: redis://127.0.0.1:6379 (env TEST_REDIS_URL). */
export function redisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * A BullMQ / Redis key prefix unique to this call, e.g. `wagw-test-queue-1a2b3c4d5e6f`, so test
 * files running in parallel never see each other's jobs. `name` should say which test owns it.
 */
export function uniquePrefix(name: string): string {
  const safe = name.replace(/[^a-zA-Z0-9_-]/g, '-');
  return `wagw-test-${safe}-${randomBytes(6).toString('hex')}`;
}
