import { redisKeys } from '@wagw/queue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, collectMessages, createTestApp, type TestApp } from './api-test-app.js';

let t: TestApp;
let nudges: Awaited<ReturnType<typeof collectMessages>>;
beforeAll(async () => {
  t = await createTestApp();
  nudges = await collectMessages(redisKeys(t.prefix).reconcileChannel);
});
afterEach(async () => {
  await t.sessionCommands.drain(true);
  nudges.messages.length = 0;
});
afterAll(async () => {
  await nudges.stop();
  await t.close();
});

async function createSession(body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/sessions', headers: AUTH, payload: body });
}

async function waitingJobs() {
  const jobs = await t.sessionCommands.getJobs(['waiting']);
  return jobs.map((job) => ({ name: job.name, data: job.data }));
}

describe('POST /api/sessions', () => {
  it('creates a running session by default, enqueues start and nudges the workers', async () => {
    const res = await createSession({ name: 'sales team' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name: 'sales team',
      desiredState: 'running',
      status: 'stopped',
      pendingCommand: null,
      reconnectAttempts: 0,
      ownerWorkerId: null,
      me: null,
      settings: {},
    });
    expect((await t.db.repos.sessions.getById(body.id))?.desiredState).toBe('running');
    expect(await waitingJobs()).toEqual([
      {
        name: 'start',
        data: expect.objectContaining({
          sessionId: body.id,
          command: 'start',
          requestId: res.headers['x-request-id'],
        }),
      },
    ]);
    expect(await nudges.received(body.id)).toBe(true);
  });

  it('with start: false stays stopped and enqueues nothing', async () => {
    const res = await createSession({ name: 'later', start: false, settings: { pacing: { perMinute: 10 } } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ desiredState: 'stopped', settings: { pacing: { perMinute: 10 } } });
    expect(await waitingJobs()).toEqual([]);
  });

  it('a duplicate live name is 409 SESSION_NAME_TAKEN; the name is free again after deletion', async () => {
    const first = await createSession({ name: 'dup', start: false });
    const again = await createSession({ name: 'dup', start: false });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'SESSION_NAME_TAKEN' });
    await t.app.inject({ method: 'DELETE', url: `/api/sessions/${first.json().id}`, headers: AUTH });
    expect((await createSession({ name: 'dup', start: false })).statusCode).toBe(201);
  });

  it.each([
    { name: '' },
    { name: 'x'.repeat(65) },
    { name: 'bad/name' },
    { name: '   ' },
    {},
    { name: 'ok', start: 'yes' },
    { name: 'ok', settings: { pacing: { perMinute: 'fast' } } },
  ])('rejects %j with 400 VALIDATION_FAILED', async (body) => {
    const res = await createSession(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });
});

describe('GET /api/sessions/:id', () => {
  it('returns the view, and 404 SESSION_NOT_FOUND for an unknown id', async () => {
    const session = await t.db.repos.sessions.create({ name: 'lookup' });
    await t.db.repos.sessions.setIdentity(session.id, {
      meJid: '491@s.whatsapp.net',
      meLid: null,
      pushName: 'Ann',
    });
    const res = await t.app.inject({ method: 'GET', url: `/api/sessions/${session.id}`, headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: session.id,
      me: { jid: '491@s.whatsapp.net', lid: null, pushName: 'Ann' },
    });
    const missing = await t.app.inject({ method: 'GET', url: '/api/sessions/nope', headers: AUTH });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('SESSION_NOT_FOUND');
  });

  it('the list keeps its status filter', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions?status=open', headers: AUTH });
    expect(res.json()).toEqual({ items: [] });
  });
});

describe('session commands', () => {
  const cases = [
    { kind: 'start', desired: 'running', pending: null },
    { kind: 'stop', desired: 'stopped', pending: null },
    { kind: 'restart', desired: 'running', pending: 'restart' },
    { kind: 'logout', desired: 'stopped', pending: 'logout' },
  ] as const;

  it.each(cases)('POST $kind: 202, desired $desired, pending $pending, a job and a nudge', async (c) => {
    const session = await t.db.repos.sessions.create({ name: `cmd-${c.kind}`, desiredState: 'running' });
    if (c.kind === 'start') await t.db.repos.sessions.updateDesired(session.id, 'stopped');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/${c.kind}`,
      headers: AUTH,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: session.id, desiredState: c.desired, pendingCommand: c.pending });
    const row = await t.db.repos.sessions.getById(session.id);
    expect(row).toMatchObject({ desiredState: c.desired, pendingCommand: c.pending });
    expect(await waitingJobs()).toEqual([
      { name: c.kind, data: expect.objectContaining({ sessionId: session.id, command: c.kind }) },
    ]);
    expect(await nudges.received(session.id)).toBe(true);
  });

  it.each(['start', 'restart'])('%s moves a terminal status back to starting', async (kind) => {
    const session = await t.db.repos.sessions.create({ name: `terminal-${kind}` });
    await t.db.repos.sessions.transitionStatus(session.id, { to: 'logged_out', reason: 'test' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/${kind}`,
      headers: AUTH,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'starting', statusReason: `${kind} requested` });
  });

  it('start leaves a non-terminal status to the worker', async () => {
    const session = await t.db.repos.sessions.create({ name: 'connecting' });
    await t.db.repos.sessions.transitionStatus(session.id, { to: 'connecting' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/start`,
      headers: AUTH,
    });
    expect(res.json().status).toBe('connecting');
  });

  it('commands on an unknown session are 404 and enqueue nothing', async () => {
    for (const kind of ['start', 'stop', 'restart', 'logout']) {
      const res = await t.app.inject({ method: 'POST', url: `/api/sessions/ghost/${kind}`, headers: AUTH });
      expect(res.statusCode).toBe(404);
    }
    expect(await waitingJobs()).toEqual([]);
  });

  it('DELETE logs out, hides the session and enqueues delete', async () => {
    const session = await t.db.repos.sessions.create({ name: 'doomed', desiredState: 'running' });
    const res = await t.app.inject({ method: 'DELETE', url: `/api/sessions/${session.id}`, headers: AUTH });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ desiredState: 'stopped', pendingCommand: 'logout' });
    expect(await t.db.repos.sessions.getById(session.id)).toBeNull();
    const row = await t.db.repos.sessions.getById(session.id, { includeDeleted: true });
    expect(row).toMatchObject({ pendingCommand: 'logout', desiredState: 'stopped' });
    expect(row?.deletedAt).toBeInstanceOf(Date);
    expect(await waitingJobs()).toEqual([
      { name: 'delete', data: expect.objectContaining({ sessionId: session.id, command: 'delete' }) },
    ]);
    expect(await nudges.received(session.id)).toBe(true);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/sessions/${session.id}`, headers: AUTH });
    expect(again.statusCode).toBe(404);
  });
});

describe('GET /api/sessions/:id/events', () => {
  it('returns the status history newest first, honouring limit', async () => {
    const session = await t.db.repos.sessions.create({ name: 'history' });
    await t.db.repos.sessions.transitionStatus(session.id, { to: 'starting', reason: 'boot' });
    await t.db.repos.sessions.transitionStatus(session.id, { to: 'qr', workerId: 'w1' });
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/sessions/${session.id}/events`,
      headers: AUTH,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((e: { toStatus: string }) => e.toStatus)).toEqual([
      'qr',
      'starting',
      'stopped',
    ]);
    expect(res.json().items[0]).toMatchObject({ fromStatus: 'starting', workerId: 'w1' });
    const limited = await t.app.inject({
      method: 'GET',
      url: `/api/sessions/${session.id}/events?limit=1`,
      headers: AUTH,
    });
    expect(limited.json().items).toHaveLength(1);
    const bad = await t.app.inject({
      method: 'GET',
      url: `/api/sessions/${session.id}/events?limit=0`,
      headers: AUTH,
    });
    expect(bad.statusCode).toBe(400);
    const missing = await t.app.inject({ method: 'GET', url: '/api/sessions/nope/events', headers: AUTH });
    expect(missing.json().code).toBe('SESSION_NOT_FOUND');
  });
});
