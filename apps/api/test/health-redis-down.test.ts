import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './api-test-app.js';

// Nothing listens on port 1: the producer connection fails fast instead of queueing commands.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ redisUrlOverride: 'redis://127.0.0.1:1' });
});
afterAll(() => t.close());

describe('health with Redis unreachable', () => {
  it('reports redis disconnected with 503, promptly', async () => {
    const started = Date.now();
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'error', redis: 'disconnected', database: 'connected' });
  });

  it('readiness is 503 naming redis', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().reason).toMatch(/redis/);
  });
});
