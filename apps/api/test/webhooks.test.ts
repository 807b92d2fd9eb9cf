import { redisKeys } from '@wagw/queue';
import { createNetworkPolicy } from '@wagw/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

// Hosts resolved without DNS: one public, one with a private address among its public ones.
const HOSTS: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14'],
  'intranet.example.com': ['93.184.215.14', '10.1.2.3'],
};
const lookup = async (host: string) => {
  const addresses = HOSTS[host];
  if (!addresses) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
  return addresses;
};
const URL_A = 'https://hooks.example.com/wagw';

let t: TestApp;
let sessionId: string;
beforeAll(async () => {
  t = await createTestApp({
    webhooks: {
      policy: createNetworkPolicy([]),
      global: null,
      retry: { maxAttempts: 3, backoffMs: 1000 },
      lookup,
    },
  });
  sessionId = (await t.db.repos.sessions.create({ name: 'hooks' })).id;
});
afterAll(() => t.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: AUTH, ...(payload ? { payload } : {}) });
const create = (body: Record<string, unknown>) => call('POST', `/api/sessions/${sessionId}/webhooks`, body);

describe('webhook CRUD', () => {
  it('bumps the webhook version in Redis on every change, so workers drop their cached lists', async () => {
    const version = async () => Number((await t.redis.get(redisKeys(t.prefix).webhooksVersion)) ?? 0);
    const start = await version();
    const id = (await create({ url: URL_A })).json().id as string;
    expect(await version()).toBe(start + 1);
    await call('PATCH', `/api/webhooks/${id}`, { enabled: false });
    expect(await version()).toBe(start + 2);
    await call('DELETE', `/api/webhooks/${id}`);
    expect(await version()).toBe(start + 3);
    await call('GET', `/api/webhooks/${id}`);
    expect(await version()).toBe(start + 3);
  });

  it('creates, reads, lists, updates and deletes', async () => {
    const res = await create({ url: URL_A, events: ['message.*'], headers: { 'X-Token': 'abc' } });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      sessionId,
      source: 'api',
      url: URL_A,
      events: ['message.*'],
      enabled: true,
      headers: { 'X-Token': '***' },
    });
    const id = created.id as string;

    const got = await call('GET', `/api/webhooks/${id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual({ ...created, secret: undefined });
    const listed = (await call('GET', `/api/sessions/${sessionId}/webhooks`)).json().items;
    expect(listed.map((w: { id: string }) => w.id)).toContain(id);
    const filtered = (await call('GET', `/api/webhooks?sessionId=${sessionId}`)).json().items;
    expect(filtered.map((w: { id: string }) => w.id)).toContain(id);

    const patched = await call('PATCH', `/api/webhooks/${id}`, { enabled: false, events: ['*'] });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id, enabled: false, events: ['*'] });
    expect(patched.json().secret).toBeUndefined();

    expect((await call('DELETE', `/api/webhooks/${id}`)).statusCode).toBe(204);
    const gone = await call('GET', `/api/webhooks/${id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().code).toBe('WEBHOOK_NOT_FOUND');
    expect((await call('DELETE', `/api/webhooks/${id}`)).json().code).toBe('WEBHOOK_NOT_FOUND');
    expect((await call('PATCH', `/api/webhooks/${id}`, { enabled: true })).statusCode).toBe(404);
  });

  it('defaults: all events, enabled; a global webhook (admin) has sessionId null', async () => {
    const res = await call('POST', '/api/webhooks', { url: URL_A });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ sessionId: null, events: ['*'], enabled: true, headers: {} });
    const all = (await call('GET', '/api/webhooks')).json().items;
    expect(all.map((w: { id: string }) => w.id)).toContain(res.json().id);
    await call('DELETE', `/api/webhooks/${res.json().id}`);
  });

  it('404 SESSION_NOT_FOUND for an unknown session, on create and list', async () => {
    for (const res of [
      await call('POST', '/api/webhooks', { sessionId: 'nope', url: URL_A }),
      await call('POST', '/api/sessions/nope/webhooks', { url: URL_A }),
      await call('GET', '/api/sessions/nope/webhooks'),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('SESSION_NOT_FOUND');
    }
  });
});

describe('secrets and headers', () => {
  it('shows a generated secret once, then only its prefix; rotateSecret returns the new one', async () => {
    const res = await create({ url: URL_A });
    const { id, secret, secretPrefix } = res.json();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretPrefix).toBe(secret.slice(0, 10));
    const view = (await call('GET', `/api/webhooks/${id}`)).json();
    expect(view.secret).toBeUndefined();
    expect(view.secretPrefix).toBe(secret.slice(0, 10));
    const list = await call('GET', `/api/sessions/${sessionId}/webhooks`);
    expect(list.body).not.toContain(secret);

    const rotated = (await call('PATCH', `/api/webhooks/${id}`, { rotateSecret: true })).json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    expect((await t.db.repos.webhooks.getById(id))?.secret).toBe(rotated.secret);
    const chosen = 'a-shared-secret-of-32-characters';
    const set = (await call('PATCH', `/api/webhooks/${id}`, { secret: chosen })).json();
    expect(set).toMatchObject({ secret: chosen, secretPrefix: 'a-sh' });
    await call('DELETE', `/api/webhooks/${id}`);
  });

  it('refuses an invalid secret, and secret together with rotateSecret', async () => {
    const bad = await create({ url: URL_A, secret: 'whsec_not!base64' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('secret'),
    });
    expect((await create({ url: URL_A, secret: 'short' })).statusCode).toBe(400);
    const { id } = (await create({ url: URL_A })).json();
    const both = await call('PATCH', `/api/webhooks/${id}`, { secret: 'x'.repeat(20), rotateSecret: true });
    expect(both.statusCode).toBe(400);
    expect((await call('PATCH', `/api/webhooks/${id}`, {})).statusCode).toBe(400);
    await call('DELETE', `/api/webhooks/${id}`);
  });

  it('masks header values everywhere; "***" in a PATCH keeps the stored value', async () => {
    const headers = { Authorization: 'Bearer s3cr3t', 'X-Tenant': 'acme' };
    const res = await create({ url: URL_A, headers });
    expect(res.json().headers).toEqual({ Authorization: '***', 'X-Tenant': '***' });
    expect(res.body).not.toContain('s3cr3t');
    const { id } = res.json();
    expect((await call('GET', `/api/webhooks/${id}`)).body).not.toContain('s3cr3t');
    const patched = await call('PATCH', `/api/webhooks/${id}`, {
      headers: { Authorization: '***', 'X-Tenant': 'other' },
    });
    expect(patched.json().headers).toEqual({ Authorization: '***', 'X-Tenant': '***' });
    expect((await t.db.repos.webhooks.getById(id))?.headers).toEqual({
      Authorization: 'Bearer s3cr3t',
      'X-Tenant': 'other',
    });
    const unknown = await call('PATCH', `/api/webhooks/${id}`, { headers: { 'X-New': '***' } });
    expect(unknown.statusCode).toBe(400);
    await call('DELETE', `/api/webhooks/${id}`);
  });
});

describe('validation', () => {
  it.each([
    ['an unknown event', { events: ['message.recieved'] }, 'message.recieved'],
    ['an unknown group', { events: ['*', 'nope.*'] }, 'nope.*'],
    ['no events', { events: [] }, 'events'],
    ['51 events', { events: Array(51).fill('*') }, 'events'],
    ['a reserved header', { headers: { 'Content-Type': 'text/plain' } }, 'Content-Type'],
    ['a signature header', { headers: { 'webhook-signature': 'v1,x' } }, 'webhook-signature'],
    ['a CR/LF in a value', { headers: { 'X-A': 'ok\r\nX-Injected: 1' } }, 'X-A'],
    ['a bad header name', { headers: { 'X A': 'v' } }, 'X A'],
    ['a value too long', { headers: { 'X-A': 'v'.repeat(1025) } }, 'headers'],
    ['a duplicate header', { headers: { 'X-A': '1', 'x-a': '2' } }, 'x-a'],
    [
      '21 headers',
      { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-${i}`, 'v'])) },
      '20',
    ],
    ['an unknown field', { event: ['*'] }, 'event'],
  ])('400 VALIDATION_FAILED for %s', async (_, body, mentioned) => {
    const res = await create({ url: URL_A, ...body });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(res.json().message).toContain(mentioned);
  });

  it.each([
    ['not a URL', 'hooks.example.com/x'],
    ['ftp', 'ftp://hooks.example.com/x'],
    ['credentials', 'https://user:pass@hooks.example.com/x'],
    ['an unresolvable host', 'https://nowhere.example.com/x'],
    ['a URL over 2048 characters', `https://hooks.example.com/${'x'.repeat(2048)}`],
  ])('400 VALIDATION_FAILED for %s', async (_, url) => {
    const res = await create({ url });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });

  it('a host that resolves to a private address is 400 WEBHOOK_URL_FORBIDDEN, also on PATCH', async () => {
    const res = await create({ url: 'https://intranet.example.com/hook' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('WEBHOOK_URL_FORBIDDEN');
    expect(res.json().message).toContain('10.1.2.3');
    const { id } = (await create({ url: URL_A })).json();
    const patch = await call('PATCH', `/api/webhooks/${id}`, { url: 'http://169.254.169.254/latest' });
    expect(patch.json().code).toBe('WEBHOOK_URL_FORBIDDEN');
    expect((await t.db.repos.webhooks.getById(id))?.url).toBe(URL_A);
    await call('DELETE', `/api/webhooks/${id}`);
  });

  it('a session has at most 10 webhooks: the 11th is 409 CONFLICT', async () => {
    const busy = (await t.db.repos.sessions.create({ name: 'busy' })).id;
    for (let i = 0; i < 10; i++) {
      const res = await call('POST', '/api/webhooks', { sessionId: busy, url: `${URL_A}/${i}` });
      expect(res.statusCode).toBe(201);
    }
    const res = await call('POST', '/api/webhooks', { sessionId: busy, url: URL_A });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('10') });
  });
});
