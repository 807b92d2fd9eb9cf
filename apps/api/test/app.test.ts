import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from './api-test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('GET /api/health', () => {
  it('answers 200 with real Redis and database checks, without a key', async () => {
    const uptimeBefore = Math.round(process.uptime());
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    const uptimeAfter = Math.round(process.uptime());
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // No worker runs in this test, so the gateway is up but degraded (health.test.ts covers `ok`).
    expect(body).toMatchObject({ status: 'degraded', database: 'connected', redis: 'connected' });
    expect(body.reasons).toEqual(['no worker heartbeat']);
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.redis.ok).toBe(true);
    // inject() runs the app in this process, so its uptime lies between the two readings.
    expect(body.uptime).toBeGreaterThanOrEqual(uptimeBefore);
    expect(body.uptime).toBeLessThanOrEqual(uptimeAfter);
    expect(body.memory.rss).toBeGreaterThan(0);
    expect(new Date(body.timestamp).getTime()).not.toBeNaN();
  });

  it('liveness answers without touching dependencies', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('readiness answers 200 when both stores answer', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(res.statusCode).toBe(200);
  });
});

describe('authentication', () => {
  it('GET /api/sessions without a key is 401 with a stable code in the error envelope', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions' });
    expect(res.statusCode).toBe(401);
    const body = res.json();
    expect(body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    expect(body.message).toMatch(/API key/);
    expect(body.requestId).toBe(res.headers['x-request-id']);
  });

  it('rejects a wrong key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: { 'x-api-key': 'nope' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHORIZED');
  });

  it('accepts the key as X-API-Key or as a Bearer token', async () => {
    for (const headers of [{ 'x-api-key': TEST_API_KEY }, { authorization: `Bearer ${TEST_API_KEY}` }]) {
      const res = await t.app.inject({ method: 'GET', url: '/api/sessions', headers });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ items: [] });
    }
  });

  it('lists sessions from the database', async () => {
    await t.db.repos.sessions.create({ name: 'sales' });
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/sessions',
      headers: { 'x-api-key': TEST_API_KEY },
    });
    expect(res.json().items).toEqual([expect.objectContaining({ name: 'sales', status: 'stopped' })]);
  });
});

describe('errors', () => {
  it('unknown routes are 404 in the same envelope, with or without a key', async () => {
    for (const headers of [{}, { 'x-api-key': TEST_API_KEY }]) {
      const res = await t.app.inject({ method: 'GET', url: '/api/nope', headers });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({
        statusCode: 404,
        code: 'ROUTE_NOT_FOUND',
        requestId: res.headers['x-request-id'],
      });
    }
  });

  it('invalid query parameters are a 400 with details, not a 500', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/sessions?status=exploded',
      headers: { 'x-api-key': TEST_API_KEY },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: expect.any(Array) });
  });

  it('echoes a caller-supplied request id', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/nope',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(res.json().requestId).toBe('abc-123');
  });
});

describe('shutdown', () => {
  it('readiness goes 503 once shutdown begins, liveness stays 200', async () => {
    const own = await createTestApp();
    own.app.markShuttingDown();
    expect((await own.app.inject({ method: 'GET', url: '/api/health/ready' })).statusCode).toBe(503);
    expect((await own.app.inject({ method: 'GET', url: '/api/health/live' })).statusCode).toBe(200);
    await own.close();
  });
});
