import { hashApiKey } from '@wagw/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

const LIMIT = 3;

describe('rate limiting shared by replicas through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ config: { rateLimitPerMinute: LIMIT } });
    // A second replica of the same deployment: same Redis, same prefix, its own process state.
    b = await createTestApp({ prefix: a.prefix, config: { rateLimitPerMinute: LIMIT } });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const list = (t: TestApp, headers: Record<string, string> = AUTH) =>
    t.app.inject({ method: 'GET', url: '/api/sessions', headers });

  it('counts one budget per key across both replicas; request N+1 is a 429 with Retry-After', async () => {
    const answers = [await list(a), await list(b), await list(a)];
    expect(answers.map((res) => res.statusCode)).toEqual([200, 200, 200]);
    expect(answers.map((res) => res.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0']);
    expect(answers[0]?.headers['x-ratelimit-limit']).toBe(String(LIMIT));

    const limited = await list(b);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: expect.stringContaining(`${LIMIT} requests`),
      requestId: limited.headers['x-request-id'],
    });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(limited.headers['x-ratelimit-reset'])).toBe(retryAfter);
    expect((await list(a)).statusCode).toBe(429);
  });

  it('gives every key its own budget', async () => {
    // The config admin key's budget is spent (previous test); a stored key counts separately.
    const raw = 'wagw_rate-limit-test-key-0123456789';
    await a.db.repos.apiKeys.create({ name: 'other', keyHash: hashApiKey(raw), prefix: raw.slice(0, 13) });
    const res = await list(a, { 'x-api-key': raw });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
  });

  it('never limits the public health probes', async () => {
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await a.app.inject({ method: 'GET', url: '/api/health/live' });
      expect(res.statusCode).toBe(200);
    }
  });
});

describe('rate limiting with Redis down', () => {
  let down: TestApp;
  beforeAll(async () => {
    down = await createTestApp({
      redisUrlOverride: 'redis://127.0.0.1:1',
      config: { rateLimitPerMinute: 1 },
    });
  });
  afterAll(async () => {
    await down.close();
  });

  it('fails open: requests that need only the database still succeed, uncounted', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await down.app.inject({ method: 'GET', url: '/api/sessions', headers: AUTH });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-remaining']).toBeUndefined();
    }
  });
});
