import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthFailureLimit } from '../src/plugins/auth-failures.js';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

// Issue #18: failed authentication was never limited. Real Redis, a unique prefix per app.
const LIMIT = 5;
const WRONG = { 'x-api-key': 'wrong-key-0123456789' };
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ config: { authFailuresPerMinute: LIMIT } });
});
afterAll(() => t.close());

const call = (app: TestApp, headers: Record<string, string>, remoteAddress = '192.0.2.10') =>
  app.app.inject({ method: 'GET', url: '/api/sessions', headers, remoteAddress });

describe('failed authentication per client address', () => {
  it(`answers 401 up to ${LIMIT} wrong keys, then 429 RATE_LIMITED with Retry-After, even for the right key`, async () => {
    for (let i = 0; i < LIMIT; i++) expect((await call(t, WRONG)).statusCode).toBe(401);
    const wrong = await call(t, WRONG);
    expect(wrong.statusCode).toBe(429);
    expect(wrong.json()).toEqual({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/failed authentication/),
      requestId: wrong.headers['x-request-id'],
    });
    const retryAfter = Number(wrong.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The block holds for the right key too (HTTP Basic on Bull Board as well).
    expect((await call(t, AUTH)).statusCode).toBe(429);
    const basic = `Basic ${Buffer.from(`x:${AUTH['x-api-key']}`).toString('base64')}`;
    const board = await t.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { authorization: basic },
      remoteAddress: '192.0.2.10',
    });
    expect(board.statusCode).toBe(429);
    // Counted in Redis under this app's prefix; attempts refused while blocked are not counted.
    expect(Number(await t.redis.get(`${t.prefix}:authfail:192.0.2.10`))).toBe(LIMIT);
  });

  it('leaves other addresses alone', async () => {
    expect((await call(t, AUTH, '192.0.2.11')).statusCode).toBe(200);
    expect((await call(t, WRONG, '192.0.2.11')).statusCode).toBe(401);
  });

  it('counts neither successes nor requests without a key', async () => {
    for (let i = 0; i < LIMIT * 2; i++) {
      expect((await call(t, AUTH, '192.0.2.12')).statusCode).toBe(200);
      expect((await call(t, {}, '192.0.2.12')).statusCode).toBe(401);
    }
    expect((await call(t, AUTH, '192.0.2.12')).statusCode).toBe(200);
    expect(await t.redis.exists(`${t.prefix}:authfail:192.0.2.12`)).toBe(0);
  });

  it('holds across API replicas sharing Redis', async () => {
    const replica = await createTestApp({ prefix: t.prefix, config: { authFailuresPerMinute: LIMIT } });
    try {
      for (let i = 0; i < LIMIT; i++) expect((await call(t, WRONG, '192.0.2.13')).statusCode).toBe(401);
      // The other replica's first failure from that address finds the count over the limit.
      expect((await call(replica, WRONG, '192.0.2.13')).statusCode).toBe(429);
      expect((await call(replica, AUTH, '192.0.2.13')).statusCode).toBe(429);
    } finally {
      await replica.close();
    }
  });
});

describe('the failed-authentication window', () => {
  it('ends: the address may try again once the window is over', async () => {
    const limit = createAuthFailureLimit({
      redis: t.redis,
      redisPrefix: `${t.prefix}:w`,
      limit: 2,
      windowMs: 300,
    });
    const request = { ip: '192.0.2.20', log: t.app.log } as Parameters<typeof limit.assertAllowed>[0];
    expect(await limit.recordFailure(request)).toBeUndefined();
    expect(await limit.recordFailure(request)).toBeUndefined();
    expect(() => limit.assertAllowed(request)).toThrow(/failed authentication/);
    expect((await limit.recordFailure(request))?.code).toBe('RATE_LIMITED');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(() => limit.assertAllowed(request)).not.toThrow();
    expect(await limit.recordFailure(request)).toBeUndefined();
  });
});
