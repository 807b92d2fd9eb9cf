import { redisUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProducerConnection,
  DELIVERY_LOG_LENGTH,
  type DeliveryAttempt,
  readDeliveryAttempts,
  recordDeliveryAttempt,
  redisKeys,
  waitUntilReady,
} from '../src/index.js';

const prefix = uniquePrefix('delivery-log');
const redis = createProducerConnection(redisUrl());

beforeAll(() => waitUntilReady(redis));
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const attempt = (n: number, extra: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
  eventId: `evt-${n}`,
  event: 'message.received',
  attempt: 1,
  at: new Date(1_700_000_000_000 + n).toISOString(),
  outcome: 'delivered',
  httpStatus: 200,
  durationMs: n,
  error: null,
  replay: false,
  ...extra,
});

describe('webhook delivery log', () => {
  it('keeps the newest attempts first, capped, per webhook, with a TTL', async () => {
    for (let n = 1; n <= DELIVERY_LOG_LENGTH + 5; n++)
      await recordDeliveryAttempt(redis, prefix, 'hook-a', attempt(n));
    await recordDeliveryAttempt(
      redis,
      prefix,
      'hook-b',
      attempt(0, { outcome: 'dead_lettered', httpStatus: null, error: 'timeout after 1000 ms' }),
    );
    const a = await readDeliveryAttempts(redis, prefix, 'hook-a');
    expect(a).toHaveLength(DELIVERY_LOG_LENGTH);
    expect(a[0]).toEqual(attempt(DELIVERY_LOG_LENGTH + 5));
    expect(a.at(-1)?.eventId).toBe('evt-6');
    expect((await readDeliveryAttempts(redis, prefix, 'hook-a', 3)).map((x) => x.eventId)).toEqual([
      'evt-105',
      'evt-104',
      'evt-103',
    ]);
    expect(await readDeliveryAttempts(redis, prefix, 'hook-b')).toEqual([
      attempt(0, { outcome: 'dead_lettered', httpStatus: null, error: 'timeout after 1000 ms' }),
    ]);
    const ttl = await redis.pttl(redisKeys(prefix).webhookDeliveries('hook-a'));
    expect(ttl).toBeGreaterThan(6 * 24 * 3600 * 1000);
    expect(await readDeliveryAttempts(redis, prefix, 'never-delivered')).toEqual([]);
  });

  it('skips entries that do not parse instead of failing the whole read', async () => {
    const key = redisKeys(prefix).webhookDeliveries('hook-c');
    await recordDeliveryAttempt(redis, prefix, 'hook-c', attempt(1));
    await redis.lpush(key, 'not json', '{"x":1}');
    expect(await readDeliveryAttempts(redis, prefix, 'hook-c')).toEqual([attempt(1)]);
  });
});
