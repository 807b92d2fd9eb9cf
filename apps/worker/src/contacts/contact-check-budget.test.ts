import { createProducerConnection, SessionRpcError, waitUntilReady } from '@wagw/queue';
import { redisUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactCheckBudget } from './contact-check-budget.js';

const prefix = uniquePrefix('contact-budget');
const redis = createProducerConnection(redisUrl());
beforeAll(() => waitUntilReady(redis));
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('contact check budget', () => {
  it('takes whole requests while lookups are left, then refuses with the wait until enough are back', async () => {
    const budget = createContactCheckBudget({ redis, prefix, perHour: 500 });
    await budget.take('s1', 300);
    await budget.take('s1', 200);
    const refused = await budget.take('s1', 10).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SessionRpcError);
    expect((refused as SessionRpcError).code).toBe('RATE_LIMITED');
    // 500 per hour refill one lookup every 7.2 s: ten take about 72 s.
    expect((refused as SessionRpcError).retryAfter).toBeGreaterThanOrEqual(70);
    expect((refused as SessionRpcError).retryAfter).toBeLessThanOrEqual(73);
    // A refused request took nothing, and other sessions have their own budget.
    await expect(budget.take('s1', 10)).rejects.toThrow(/per hour/);
    await budget.take('s2', 500);
    await budget.take('s1', 0);
  });
});
