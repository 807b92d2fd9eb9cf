import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashApiKey } from '@wagw/db';
import { createTempDir } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

// Our own SQLite file, so the test can read the raw database files.
const dbDir = createTempDir('wagw-api-keys-');
let t: TestApp;
let own: string;
let other: string;
let key: string;
let keyId: string;

async function createSession(name: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: AUTH,
    payload: { name, start: false },
  });
  expect(res.statusCode).toBe(201);
  return res.json().id as string;
}

async function createKey(sessionId: string | null, name = 'test key') {
  return t.app.inject({ method: 'POST', url: '/api/keys', headers: AUTH, payload: { name, sessionId } });
}

const as = (apiKey: string) => ({ 'x-api-key': apiKey });

beforeAll(async () => {
  t = await createTestApp({ databaseUrl: `file:${join(dbDir.path, 'wagw.db')}` });
  own = await createSession('own');
  other = await createSession('other');
  const res = await createKey(own, 'crm');
  expect(res.statusCode).toBe(201);
  ({ key, id: keyId } = res.json());
});
afterAll(async () => {
  await t.close();
  dbDir.cleanup();
});

describe('POST /api/keys', () => {
  it('returns a random wagw_ key once, with its display prefix and session', async () => {
    const res = await createKey(own);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.key).toMatch(/^wagw_[A-Za-z0-9_-]{43}$/);
    expect(body.key).not.toBe(key);
    expect(body.prefix).toBe(body.key.slice(0, 13));
    expect(body.sessionId).toBe(own);
  });

  it('stores only the sha256 of the key: the raw key is nowhere in the database files', async () => {
    const stored = await t.db.repos.apiKeys.findByHash(hashApiKey(key));
    expect(stored).toMatchObject({ id: keyId, sessionId: own, keyHash: hashApiKey(key) });
    expect(JSON.stringify(await t.db.repos.apiKeys.list())).not.toContain(key);
    // The SQLite file and its WAL: the secret part of the key must not appear in any of them.
    const files = readdirSync(dbDir.path).filter((name) => name.startsWith('wagw.db'));
    expect(files).toContain('wagw.db');
    const secret = Buffer.from(key.slice(13));
    for (const name of files) expect(readFileSync(join(dbDir.path, name)).includes(secret), name).toBe(false);
    expect(files.some((name) => readFileSync(join(dbDir.path, name)).includes(hashApiKey(key)))).toBe(true);
  });

  it('404s for an unknown session and 400s without a name', async () => {
    expect((await createKey('no-such-session')).json()).toMatchObject({
      statusCode: 404,
      code: 'SESSION_NOT_FOUND',
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: AUTH,
      payload: { sessionId: own },
    });
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });

  it('lists keys without their hashes', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/keys?sessionId=${own}`, headers: AUTH });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Record<string, unknown>[];
    expect(items.find((item) => item.id === keyId)).toMatchObject({
      name: 'crm',
      sessionId: own,
      revokedAt: null,
    });
    expect(JSON.stringify(items)).not.toContain(hashApiKey(key));
  });
});

describe('a per-session key', () => {
  it('acts on its own session', async () => {
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/sessions/${own}`, headers: as(key) })).statusCode,
    ).toBe(200);
    const stop = await t.app.inject({ method: 'POST', url: `/api/sessions/${own}/stop`, headers: as(key) });
    expect(stop.statusCode).toBe(202);
    const history = await t.app.inject({
      method: 'GET',
      url: `/api/sessions/${own}/events`,
      headers: as(key),
    });
    expect(history.statusCode).toBe(200);
  });

  it('works as a bearer token too', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/sessions/${own}`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode).toBe(200);
  });

  it('lists only its own session', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: as(key) });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((s: { id: string }) => s.id)).toEqual([own]);
    const admin = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: AUTH });
    expect(
      admin
        .json()
        .items.map((s: { id: string }) => s.id)
        .sort(),
    ).toEqual([own, other].sort());
  });

  it.each([
    ['GET', '/api/sessions/:other'],
    ['DELETE', '/api/sessions/:other'],
    ['POST', '/api/sessions/:other/start'],
    ['GET', '/api/sessions/:other/events'],
    ['GET', '/api/sessions/:other/qr'],
    ['GET', '/api/sessions/:other/pairing-code'],
    ['GET', '/api/events?sessionId=:other'],
  ] as const)('cannot %s %s of another session (403)', async (method, pattern) => {
    const res = await t.app.inject({ method, url: pattern.replace(':other', other), headers: as(key) });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      statusCode: 403,
      code: 'FORBIDDEN',
      requestId: res.headers['x-request-id'],
    });
  });

  it.each([
    ['POST', '/api/sessions'],
    ['GET', '/api/keys'],
    ['POST', '/api/keys'],
    ['DELETE', '/api/keys/whatever'],
    ['GET', '/admin/queues'],
  ] as const)('cannot use admin-only %s %s (403)', async (method, url) => {
    const res = await t.app.inject({
      method,
      url,
      headers: as(key),
      ...(method === 'POST' ? { payload: { name: 'x', sessionId: own } } : {}),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('writes last_used_at at most once a minute, not on every request', async () => {
    const fresh = (await createKey(own, 'touch')).json();
    const touch = vi.spyOn(t.db.repos.apiKeys, 'touch');
    try {
      for (let i = 0; i < 5; i++) {
        const res = await t.app.inject({
          method: 'GET',
          url: `/api/sessions/${own}`,
          headers: as(fresh.key),
        });
        expect(res.statusCode).toBe(200);
      }
      expect(touch.mock.calls.filter(([id]) => id === fresh.id)).toHaveLength(1);
      await vi.waitFor(async () => {
        const stored = await t.db.repos.apiKeys.findByHash(hashApiKey(fresh.key));
        expect(stored?.lastUsedAt).toBeInstanceOf(Date);
      });
    } finally {
      touch.mockRestore();
    }
  });
});

describe('authentication', () => {
  it('refuses unknown keys with 401', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: as('wagw_not-a-key') });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHORIZED');
  });

  it('refuses a revoked key with 401; revoking twice is 404', async () => {
    const fresh = (await createKey(own, 'short-lived')).json();
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/sessions', headers: as(fresh.key) })).statusCode,
    ).toBe(200);
    const beforeRevoke = Date.now();
    const revoke = await t.app.inject({ method: 'DELETE', url: `/api/keys/${fresh.id}`, headers: AUTH });
    const afterRevoke = Date.now();
    expect(revoke.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: as(fresh.key) });
    expect(after.statusCode).toBe(401);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/keys/${fresh.id}`, headers: AUTH });
    expect(again.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    const listed = await t.app.inject({ method: 'GET', url: '/api/keys', headers: AUTH });
    const item = listed.json().items.find((k: { id: string }) => k.id === fresh.id);
    const revokedAt = Date.parse(item.revokedAt);
    expect(revokedAt).toBeGreaterThanOrEqual(beforeRevoke);
    expect(revokedAt).toBeLessThanOrEqual(afterRevoke);
  });

  it('a stored key without a session is an admin key', async () => {
    const admin = (await createKey(null, 'second admin')).json();
    expect(admin.sessionId).toBeNull();
    const res = await t.app.inject({ method: 'GET', url: '/api/keys', headers: as(admin.key) });
    expect(res.statusCode).toBe(200);
  });
});
