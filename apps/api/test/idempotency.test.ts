import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './api-test-app.js';
import { post, sessionWithQueue } from './messaging-helpers.js';

let t: TestApp;
let sessionId: string;
beforeAll(async () => {
  // Bulk requests of thousands keep the event loop busy for a moment on purpose; load shedding
  // (tested on its own) would answer the next request 503 SERVICE_OVERLOADED.
  t = await createTestApp({ loadShedding: { maxEventLoopUtilization: 0, maxEventLoopDelayMs: 0 } });
  const created = await sessionWithQueue(t, 'idem');
  sessionId = created.session.id;
  await created.queue.close();
});
afterAll(() => t.close());

const url = () => `/api/sessions/${sessionId}/messages`;
const key = (k: string) => ({ 'idempotency-key': k });
const outbound = async () => (await t.db.repos.messages.countByStatus(sessionId)).queued;

describe('Idempotency-Key', () => {
  it('same key and body: one message, the original status and body replayed', async () => {
    const before = await outbound();
    const body = { to: '4915112345678', type: 'text', text: 'once' };
    const first = await post(t, url(), body, key('k-1'));
    // Same content, other key order: the canonical body is the same.
    const second = await post(t, url(), { text: 'once', type: 'text', to: '4915112345678' }, key('k-1'));
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotency-replayed']).toBe('true');
    expect(await outbound()).toBe(before + 1);
  });

  it('same key, different body → 422 IDEMPOTENCY_KEY_REUSED; another path is a different request too', async () => {
    await post(t, url(), { to: '4915112345678', type: 'text', text: 'a' }, key('k-2'));
    const changed = await post(t, url(), { to: '4915112345678', type: 'text', text: 'b' }, key('k-2'));
    expect(changed.statusCode).toBe(422);
    expect(changed.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    const bulk = await post(
      t,
      `${url()}/bulk`,
      { messages: [{ to: '4915112345678', type: 'text', text: 'a' }] },
      key('k-2'),
    );
    expect(bulk.statusCode).toBe(422);
  });

  it('while the first request is in progress → 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    const body = { to: '4915112345678', type: 'text', text: 'slow' };
    // The first request claimed the key and has not finished (its row is in_progress).
    const { fingerprint } = await import('../src/lib/idempotency.js');
    await t.db.repos.idempotencyKeys.begin({
      scope: 'admin',
      key: 'k-3',
      requestHash: fingerprint({ method: 'POST', url: url(), body }),
      expiresAt: new Date(Date.now() + 60_000),
    });
    const res = await post(t, url(), body, key('k-3'));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(res.headers['retry-after']).toBe('1');
  });

  it('a claim left by a replica that died before committing is taken over after the request timeout + 5 s', async () => {
    const body = { to: '4915112345678', type: 'text', text: 'orphaned' };
    const { fingerprint } = await import('../src/lib/idempotency.js');
    const orphan = async (k: string, ageMs: number) =>
      t.db.repos.idempotencyKeys.begin({
        scope: 'admin',
        key: k,
        requestHash: fingerprint({ method: 'POST', url: url(), body }),
        createdAt: new Date(Date.now() - ageMs),
        expiresAt: new Date(Date.now() + 60_000),
      });
    // Younger than REQUEST_TIMEOUT (30 s) + 5 s: it may still be running somewhere.
    await orphan('k-orphan-young', 30_000);
    expect((await post(t, url(), body, key('k-orphan-young'))).statusCode).toBe(409);
    // Older: its replica is gone, and it never committed (no row): the retry does the work, once.
    await orphan('k-orphan-old', 36_000);
    const before = await outbound();
    const retried = await post(t, url(), body, key('k-orphan-old'));
    expect(retried.statusCode).toBe(202);
    expect(await outbound()).toBe(before + 1);
    expect((await post(t, url(), body, key('k-orphan-old'))).json()).toEqual(retried.json());
    expect(await outbound()).toBe(before + 1);
  });

  it('concurrent duplicates of a bulk send: one batch; the other is 409 or the replay', async () => {
    const messages = Array.from({ length: 2000 }, (_, i) => ({
      to: '4915112345678',
      type: 'text',
      text: `c${i}`,
    }));
    const before = await outbound();
    const results = await Promise.all(
      [0, 1, 2].map(() => post(t, `${url()}/bulk`, { messages }, key('k-4'))),
    );
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses[0]).toBe(202);
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    const batches = new Set(results.filter((r) => r.statusCode === 202).map((r) => r.json().batchId));
    expect(batches.size).toBe(1);
    expect(await outbound()).toBe(before + 2000);
    console.log(`idempotency: concurrent duplicate statuses ${statuses.join(', ')}`);
  });

  it('a failed request releases the key: fixing the cause and retrying with it works', async () => {
    const missingSession = await post(
      t,
      '/api/sessions/nope/messages',
      { to: '4915112345678', type: 'text', text: 'x' },
      key('k-5'),
    );
    expect(missingSession.statusCode).toBe(404);
    const again = await post(
      t,
      '/api/sessions/nope/messages',
      { to: '4915112345678', type: 'text', text: 'x' },
      key('k-5'),
    );
    expect(again.statusCode).toBe(404);
    expect(await t.db.repos.idempotencyKeys.get('admin', 'k-5')).toBeNull();
  });

  it('an invalid key is a 400; an expired record is replaced', async () => {
    const bad = await post(t, url(), { to: '4915112345678', type: 'text', text: 'x' }, key('has space'));
    expect(bad.statusCode).toBe(400);
    await t.db.repos.idempotencyKeys.begin({
      scope: 'admin',
      key: 'k-6',
      requestHash: 'something else',
      createdAt: new Date(Date.now() - 2 * 86_400_000),
      expiresAt: new Date(Date.now() - 86_400_000),
    });
    const res = await post(t, url(), { to: '4915112345678', type: 'text', text: 'fresh' }, key('k-6'));
    expect(res.statusCode).toBe(202);
    const stored = await t.db.repos.idempotencyKeys.get('admin', 'k-6');
    expect(stored).toMatchObject({ status: 'completed', responseStatus: 202, responseBody: res.json() });
    expect(stored!.expiresAt.getTime() - stored!.createdAt.getTime()).toBeGreaterThanOrEqual(86_400_000);
  });
});
