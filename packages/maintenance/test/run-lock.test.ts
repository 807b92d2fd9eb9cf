import { createProducerConnection, waitUntilReady } from '@wagw/queue';
import { redisUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLockKey, withRunLock } from '../src/index.js';

const prefix = uniquePrefix('run-lock');
const redis = createProducerConnection(redisUrl());
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => waitUntilReady(redis));
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('withRunLock', () => {
  it('lets exactly one of several concurrent runs in, and frees the lock afterwards', async () => {
    const key = runLockKey(prefix, 'concurrent');
    let inside = 0;
    let maxInside = 0;
    const run = () =>
      withRunLock({ redis, key }, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await pause(100);
        inside--;
        return 'done';
      });
    const results = await Promise.all([run(), run(), run(), run()]);
    expect(results.filter((r) => r.acquired)).toEqual([{ acquired: true, value: 'done' }]);
    expect(maxInside).toBe(1);
    expect(await redis.exists(key)).toBe(0);
  });

  it('renews the lock while a run outlasts the TTL', async () => {
    const key = runLockKey(prefix, 'long');
    const long = withRunLock({ redis, key, ttlMs: 150 }, () => pause(600));
    await pause(400);
    expect(await withRunLock({ redis, key, ttlMs: 150 }, async () => 'second')).toEqual({ acquired: false });
    await long;
    expect(await withRunLock({ redis, key, ttlMs: 150 }, async () => 'third')).toEqual({
      acquired: true,
      value: 'third',
    });
  });

  it('never releases a lock that is no longer its own', async () => {
    const key = runLockKey(prefix, 'foreign');
    await withRunLock({ redis, key, ttlMs: 1000 }, async () => {
      // Simulate the lock having expired and passed to another replica mid-run.
      await redis.set(key, 'other-replica', 'PX', 5000);
    });
    expect(await redis.get(key)).toBe('other-replica');
  });

  it('releases the lock when the run throws', async () => {
    const key = runLockKey(prefix, 'throws');
    await expect(
      withRunLock({ redis, key }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await redis.exists(key)).toBe(0);
  });
});
