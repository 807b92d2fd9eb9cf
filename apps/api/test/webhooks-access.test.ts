import { hashApiKey } from '@wagw/db';
import { createNetworkPolicy } from '@wagw/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

const PUBLIC_URL = 'https://93.184.215.14/hook';
const GLOBAL = {
  url: 'https://93.184.215.14/global',
  events: ['message.*'],
  secret: `whsec_${'A'.repeat(43)}=`,
};
const retry = { maxAttempts: 3, backoffMs: 1000 };

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const call = (t: TestApp, method: Method, url: string, payload?: object, headers: object = AUTH) =>
  t.app.inject({ method, url, headers: { ...headers }, ...(payload ? { payload } : {}) });

async function sessionWithKey(t: TestApp, name: string) {
  const session = await t.db.repos.sessions.create({ name });
  const key = `wagw_${name}_key_0123456789abcdef`;
  await t.db.repos.apiKeys.create({
    name,
    keyHash: hashApiKey(key),
    prefix: key.slice(0, 13),
    sessionId: session.id,
  });
  return { id: session.id, headers: { 'x-api-key': key } };
}

describe('per-session keys and the configuration webhook', () => {
  let t: TestApp;
  let own: Awaited<ReturnType<typeof sessionWithKey>>;
  let other: Awaited<ReturnType<typeof sessionWithKey>>;
  let ownHook: string;
  let otherHook: string;
  let globalHook: string;
  beforeAll(async () => {
    t = await createTestApp({ webhooks: { policy: createNetworkPolicy([]), global: GLOBAL, retry } });
    own = await sessionWithKey(t, 'own');
    other = await sessionWithKey(t, 'other');
    ownHook = (await call(t, 'POST', `/api/sessions/${own.id}/webhooks`, { url: PUBLIC_URL })).json().id;
    otherHook = (await call(t, 'POST', `/api/sessions/${other.id}/webhooks`, { url: PUBLIC_URL })).json().id;
    globalHook = (await call(t, 'POST', '/api/webhooks', { url: PUBLIC_URL })).json().id;
  });
  afterAll(() => t.close());

  it('a session key creates for its own session when it names none, and lists only those', async () => {
    const res = await call(t, 'POST', '/api/webhooks', { url: PUBLIC_URL }, own.headers);
    expect(res.statusCode).toBe(201);
    expect(res.json().sessionId).toBe(own.id);
    const mine = await call(t, 'POST', `/api/sessions/${own.id}/webhooks`, { url: PUBLIC_URL }, own.headers);
    expect(mine.statusCode).toBe(201);
    const listed = (await call(t, 'GET', '/api/webhooks', undefined, own.headers)).json().items;
    expect(listed.map((w: { sessionId: string }) => w.sessionId)).toEqual([own.id, own.id, own.id]);
    expect((await call(t, 'GET', `/api/webhooks/${ownHook}`, undefined, own.headers)).statusCode).toBe(200);
  });

  it("403 FORBIDDEN on another session's webhooks, global ones and creating a global one", async () => {
    const attempts = [
      call(t, 'GET', `/api/webhooks/${otherHook}`, undefined, own.headers),
      call(t, 'PATCH', `/api/webhooks/${otherHook}`, { enabled: false }, own.headers),
      call(t, 'DELETE', `/api/webhooks/${otherHook}`, undefined, own.headers),
      call(t, 'GET', `/api/webhooks/${otherHook}/dead-letters`, undefined, own.headers),
      call(t, 'POST', `/api/webhooks/${otherHook}/dead-letters/replay`, undefined, own.headers),
      call(t, 'DELETE', `/api/webhooks/${otherHook}/dead-letters`, undefined, own.headers),
      call(t, 'GET', `/api/webhooks?sessionId=${other.id}`, undefined, own.headers),
      call(t, 'GET', `/api/sessions/${other.id}/webhooks`, undefined, own.headers),
      call(t, 'POST', `/api/sessions/${other.id}/webhooks`, { url: PUBLIC_URL }, own.headers),
      call(t, 'POST', '/api/webhooks', { sessionId: other.id, url: PUBLIC_URL }, own.headers),
      call(t, 'POST', '/api/webhooks', { sessionId: null, url: PUBLIC_URL }, own.headers),
      call(t, 'GET', `/api/webhooks/${globalHook}`, undefined, own.headers),
      call(t, 'PATCH', `/api/webhooks/${globalHook}`, { enabled: false }, own.headers),
      call(t, 'GET', '/api/webhooks/config', undefined, own.headers),
      call(t, 'GET', '/api/webhooks/config/dead-letters', undefined, own.headers),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    expect((await t.db.repos.webhooks.getById(otherHook))?.enabled).toBe(true);
    expect(await t.db.repos.webhooks.list({ sessionId: null })).toHaveLength(1);
  });

  it('the admin sees the configuration webhook first, read-only', async () => {
    const items = (await call(t, 'GET', '/api/webhooks')).json().items;
    expect(items[0]).toEqual({
      id: 'config',
      sessionId: null,
      source: 'config',
      url: GLOBAL.url,
      events: GLOBAL.events,
      headers: {},
      secretPrefix: GLOBAL.secret.slice(0, 10),
      enabled: true,
      createdAt: null,
      updatedAt: null,
    });
    expect(items.map((w: { id: string }) => w.id)).toEqual(
      expect.arrayContaining([ownHook, otherHook, globalHook]),
    );
    expect(JSON.stringify(items)).not.toContain(GLOBAL.secret);
    expect((await call(t, 'GET', '/api/webhooks/config')).json()).toEqual(items[0]);
    // Filtered by session: only that session's own webhooks.
    const filtered = (await call(t, 'GET', `/api/webhooks?sessionId=${other.id}`)).json().items;
    expect(filtered.map((w: { id: string }) => w.id)).toEqual([otherHook]);
    for (const res of [
      await call(t, 'PATCH', '/api/webhooks/config', { enabled: false }),
      await call(t, 'DELETE', '/api/webhooks/config'),
    ]) {
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('WEBHOOK_READ_ONLY');
    }
  });
});

describe('the SSRF guard on webhook URLs', () => {
  const PRIVATE = [
    'http://10.0.0.5/',
    'http://192.168.1.10/hook',
    'http://169.254.169.254/',
    'http://127.0.0.1:9/',
    'http://localhost/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://0.0.0.0/',
  ];
  let strict: TestApp;
  let loopback: TestApp;
  let sessionId: string;
  beforeAll(async () => {
    strict = await createTestApp({ webhooks: { policy: createNetworkPolicy([]), global: null, retry } });
    sessionId = (await strict.db.repos.sessions.create({ name: 'ssrf' })).id;
    // localhost resolves to 127.0.0.1 and ::1: both must be allowed for it to pass.
    const policy = createNetworkPolicy(['127.0.0.0/8', '::1/128']);
    loopback = await createTestApp({ webhooks: { policy, global: null, retry } });
  });
  afterAll(async () => {
    await strict.close();
    await loopback.close();
  });

  it.each(PRIVATE)('refuses %s with 400 WEBHOOK_URL_FORBIDDEN by default', async (url) => {
    const res = await call(strict, 'POST', `/api/sessions/${sessionId}/webhooks`, { url });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('WEBHOOK_URL_FORBIDDEN');
    expect(res.json().message).toMatch(/private, loopback or link-local/);
    expect(res.json().message).toContain('WEBHOOK_ALLOWED_NETWORKS');
  });

  it('accepts loopback URLs once the operator allows loopback, and nothing else', async () => {
    const session = (await loopback.db.repos.sessions.create({ name: 'local' })).id;
    const post = (url: string) => call(loopback, 'POST', `/api/sessions/${session}/webhooks`, { url });
    for (const url of [
      'http://127.0.0.1:9/',
      'http://localhost/',
      'http://[::1]:8080/in',
      'http://127.8.9.10/',
    ]) {
      expect((await post(url)).statusCode, url).toBe(201);
    }
    for (const url of ['http://10.0.0.5/', 'http://192.168.1.10/hook', 'http://169.254.169.254/']) {
      expect((await post(url)).json().code, url).toBe('WEBHOOK_URL_FORBIDDEN');
    }
  });
});
