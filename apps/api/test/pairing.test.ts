import { redisKeys } from '@wagw/queue';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp, testRedis } from './api-test-app.js';

let t: TestApp;
let redis: Redis;
beforeAll(async () => {
  // A short wait keeps the "pending" case fast; the polling logic is the same as with 10 s.
  t = await createTestApp({ pairingWaitMs: 600 });
  redis = testRedis();
});
afterAll(async () => {
  redis.disconnect();
  await t.close();
});

function requestCode(sessionId: string, phone: unknown) {
  return t.app.inject({
    method: 'POST',
    url: `/api/sessions/${sessionId}/pairing-code`,
    headers: AUTH,
    payload: { phone },
  });
}

describe('POST /api/sessions/:id/pairing-code', () => {
  it.each(['12345', '+49 151 1234567', '49-151-1234567', 'abc12345678', '1234567890123456', ''])(
    'rejects phone %j with 400 INVALID_PHONE',
    async (phone) => {
      const session = await t.db.repos.sessions.create({ name: `bad-${phone}` });
      const res = await requestCode(session.id, phone);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('INVALID_PHONE');
    },
  );

  it('a missing phone is 400 VALIDATION_FAILED', async () => {
    const session = await t.db.repos.sessions.create({ name: 'no-phone' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/pairing-code`,
      headers: AUTH,
      payload: {},
    });
    expect(res.statusCode).toBe(400);
  });

  it('refuses an already paired, open session with 409 SESSION_STATE_CONFLICT', async () => {
    const session = await t.db.repos.sessions.create({ name: 'paired' });
    await t.db.repos.sessions.setIdentity(session.id, {
      meJid: '1@s.whatsapp.net',
      meLid: null,
      pushName: null,
    });
    await t.db.repos.sessions.transitionStatus(session.id, { to: 'open' });
    const res = await requestCode(session.id, '+4915112345678');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('SESSION_STATE_CONFLICT');
  });

  it('writes the request, clears an old code, starts the session and answers 202 while waiting', async () => {
    const session = await t.db.repos.sessions.create({ name: 'pending' });
    await t.db.repos.sessions.transitionStatus(session.id, { to: 'needs_pairing' });
    const keys = redisKeys(t.prefix);
    await redis.set(keys.pairingCode(session.id), 'OLD-CODE', 'PX', 60_000);

    const started = Date.now();
    const res = await requestCode(session.id, '+4915112345678');
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'pending' });
    const answered = Date.now();
    expect(answered - started).toBeLessThan(3000);

    const request = JSON.parse((await redis.get(keys.pairingRequest(session.id))) ?? 'null');
    expect(request).toEqual({ phone: '4915112345678', requestedAt: expect.any(Number) });
    expect(request.requestedAt).toBeGreaterThanOrEqual(started);
    expect(request.requestedAt).toBeLessThanOrEqual(answered);
    expect(await redis.pttl(keys.pairingRequest(session.id))).toBeGreaterThan(100_000);
    expect(await redis.get(keys.pairingCode(session.id))).toBeNull();
    expect(await t.db.repos.sessions.getById(session.id)).toMatchObject({
      desiredState: 'running',
      status: 'starting',
    });
    const jobs = await t.sessionCommands.getJobs(['waiting']);
    expect(jobs.some((job) => job.data.sessionId === session.id && job.name === 'start')).toBe(true);

    const get = await t.app.inject({
      method: 'GET',
      url: `/api/sessions/${session.id}/pairing-code`,
      headers: AUTH,
    });
    expect(get.statusCode).toBe(404);
    expect(get.json().code).toBe('PAIRING_CODE_NOT_AVAILABLE');
  });

  it('answers 200 with the code once the worker has stored it', async () => {
    const session = await t.db.repos.sessions.create({ name: 'fulfilled' });
    const keys = redisKeys(t.prefix);
    // Plays the worker: waits for the request, then stores a code for it.
    const worker = (async () => {
      for (let i = 0; i < 100 && !(await redis.exists(keys.pairingRequest(session.id))); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await redis.set(keys.pairingCode(session.id), 'ABCD-EFGH', 'PX', 60_000);
    })();
    const res = await requestCode(session.id, '4915112345678');
    await worker;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ code: 'ABCD-EFGH' });

    const get = await t.app.inject({
      method: 'GET',
      url: `/api/sessions/${session.id}/pairing-code`,
      headers: AUTH,
    });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toEqual({ code: 'ABCD-EFGH' });
  });

  it('an unknown session is 404', async () => {
    expect((await requestCode('ghost', '4915112345678')).statusCode).toBe(404);
    const get = await t.app.inject({ method: 'GET', url: '/api/sessions/ghost/pairing-code', headers: AUTH });
    expect(get.json().code).toBe('SESSION_NOT_FOUND');
  });
});
