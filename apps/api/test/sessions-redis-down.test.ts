import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

// Nothing listens on port 1: the producer connection never becomes ready and fails fast.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ redisUrlOverride: 'redis://127.0.0.1:1' });
});
afterAll(() => t.close());

async function timed(request: InjectOptions) {
  const started = Date.now();
  const res = await t.app.inject(request);
  return { res, ms: Date.now() - started };
}

function expectUnavailable({ res, ms }: Awaited<ReturnType<typeof timed>>) {
  expect(ms).toBeLessThan(1000);
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.json()).toMatchObject({ code: 'QUEUE_UNAVAILABLE', statusCode: 503 });
}

describe('session API with Redis unreachable', () => {
  it('a command answers 503 QUEUE_UNAVAILABLE at once, and the intent stays written', async () => {
    const session = await t.db.repos.sessions.create({ name: 'down' });
    expectUnavailable(
      await timed({ method: 'POST', url: `/api/sessions/${session.id}/restart`, headers: AUTH }),
    );
    expect(await t.db.repos.sessions.getById(session.id)).toMatchObject({
      desiredState: 'running',
      pendingCommand: 'restart',
    });
  });

  it('create with start answers 503 but the session exists (a retry of start is safe)', async () => {
    const result = await timed({
      method: 'POST',
      url: '/api/sessions',
      headers: AUTH,
      payload: { name: 'new' },
    });
    expectUnavailable(result);
    const created = await t.db.repos.sessions.getByName('new');
    expect(created).toMatchObject({ desiredState: 'running' });
    expect(result.res.json().details).toEqual({ sessionId: created?.id });
  });

  it('create without start needs no Redis', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: AUTH,
      payload: { name: 'quiet', start: false },
    });
    expect(res.statusCode).toBe(201);
  });

  it('QR, pairing and the event stream answer 503 too', async () => {
    const session = await t.db.repos.sessions.create({ name: 'reads' });
    expectUnavailable(await timed({ method: 'GET', url: `/api/sessions/${session.id}/qr`, headers: AUTH }));
    expectUnavailable(
      await timed({ method: 'GET', url: `/api/sessions/${session.id}/pairing-code`, headers: AUTH }),
    );
    expectUnavailable(
      await timed({
        method: 'POST',
        url: `/api/sessions/${session.id}/pairing-code`,
        headers: AUTH,
        payload: { phone: '4915112345678' },
      }),
    );
    expectUnavailable(await timed({ method: 'GET', url: '/api/events', headers: AUTH }));
  });

  it('reads from the database still work', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: AUTH });
    expect(res.statusCode).toBe(200);
  });
});
