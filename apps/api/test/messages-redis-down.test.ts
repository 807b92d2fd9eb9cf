import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

// Nothing listens on port 1: the producer connection never becomes ready and fails fast.
let t: TestApp;
let sessionId: string;
beforeAll(async () => {
  t = await createTestApp({ redisUrlOverride: 'redis://127.0.0.1:1' });
  sessionId = (await t.db.repos.sessions.create({ name: 'offline' })).id;
});
afterAll(() => t.close());

async function timedPost(url: string, payload: object, headers: Record<string, string> = {}) {
  const started = performance.now();
  const res = await t.app.inject({ method: 'POST', url, headers: { ...AUTH, ...headers }, payload });
  return { res, ms: performance.now() - started };
}

describe('messaging with Redis unreachable', () => {
  it('a send answers 503 QUEUE_UNAVAILABLE at once; the row stays queued for reconciliation', async () => {
    const { res, ms } = await timedPost(`/api/sessions/${sessionId}/messages`, {
      to: '4915112345678',
      type: 'text',
      text: 'kept',
    });
    expect(ms).toBeLessThan(1000);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    const body = res.json();
    expect(body).toMatchObject({ code: 'QUEUE_UNAVAILABLE', details: { status: 'queued' } });
    expect(body.message).toContain('reconciliation');
    expect(await t.db.repos.messages.getById(body.details.messageId)).toMatchObject({ status: 'queued' });
  });

  it('a retry with the same Idempotency-Key gets the 202 of the stored message, not a duplicate', async () => {
    const payload = { to: '4915112345678', type: 'text', text: 'once only' };
    const first = await timedPost(`/api/sessions/${sessionId}/messages`, payload, {
      'idempotency-key': 'down-1',
    });
    expect(first.res.statusCode).toBe(503);
    const retry = await timedPost(`/api/sessions/${sessionId}/messages`, payload, {
      'idempotency-key': 'down-1',
    });
    expect(retry.res.statusCode).toBe(202);
    expect(retry.res.json().id).toBe(first.res.json().details.messageId);
  });

  it('bulk: 503 fast, every row kept queued under the batch', async () => {
    const messages = Array.from({ length: 100 }, (_, i) => ({
      to: '4915112345678',
      type: 'text',
      text: `m${i}`,
    }));
    const { res, ms } = await timedPost(`/api/sessions/${sessionId}/messages/bulk`, { messages });
    expect(ms).toBeLessThan(1500);
    expect(res.statusCode).toBe(503);
    const { batchId } = res.json().details;
    expect((await t.db.repos.messages.countByBatch(batchId))?.counts.queued).toBe(100);
  });

  it('read and presence answer 503 fast (nothing to keep: they are not stored)', async () => {
    for (const [path, payload] of [
      ['messages/read', { messages: [{ remoteJid: '4915112345678@s.whatsapp.net', id: 'X' }] }],
      ['presence', { to: '4915112345678', state: 'composing' }],
    ] as const) {
      const { res, ms } = await timedPost(`/api/sessions/${sessionId}/${path}`, payload);
      expect(ms).toBeLessThan(1000);
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('QUEUE_UNAVAILABLE');
    }
  });

  it('cancel still cancels the rows (jobs are skipped by the worker when consumed)', async () => {
    const messages = [{ to: '4915112345678', type: 'text', text: 'cancel me' }];
    const { res } = await timedPost(`/api/sessions/${sessionId}/messages/bulk`, { messages });
    const { batchId } = res.json().details;
    const cancel = await t.app.inject({
      method: 'POST',
      url: `/api/batches/${batchId}/cancel`,
      headers: AUTH,
    });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toMatchObject({ cancelled: 1, jobsRemoved: 0, counts: { cancelled: 1 } });
  });
});
