import { hashApiKey } from '@wagw/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './api-test-app.js';
import { post, sessionWithQueue } from './messaging-helpers.js';

let t: TestApp;
let own: string;
let other: string;
const KEY = 'session-key-0123456789abcdef';
const asSession = { 'x-api-key': KEY };

beforeAll(async () => {
  t = await createTestApp();
  for (const name of ['own', 'other']) {
    const { session, queue } = await sessionWithQueue(t, name);
    await queue.close();
    if (name === 'own') own = session.id;
    else other = session.id;
  }
  await t.db.repos.apiKeys.create({
    name: 'own',
    keyHash: hashApiKey(KEY),
    prefix: KEY.slice(0, 8),
    sessionId: own,
  });
});
afterAll(() => t.close());

const text = { to: '4915112345678', type: 'text', text: 'x' };
const inject = (method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: asSession, ...(payload ? { payload } : {}) });

describe('a per-session API key and messaging', () => {
  it('sends, reads and lists on its own session only', async () => {
    const mine = await inject('POST', `/api/sessions/${own}/messages`, text);
    expect(mine.statusCode).toBe(202);
    expect((await inject('GET', `/api/messages/${mine.json().id}`)).statusCode).toBe(200);
    expect((await inject('GET', `/api/sessions/${own}/messages`)).statusCode).toBe(200);
    for (const res of [
      await inject('POST', `/api/sessions/${other}/messages`, text),
      await inject('POST', `/api/sessions/${other}/messages/bulk`, { messages: [text] }),
      await inject('GET', `/api/sessions/${other}/messages`),
    ]) {
      expect(res.statusCode).toBe(403);
    }
  });

  it("cannot read another session's message or batch", async () => {
    const theirs = (await post(t, `/api/sessions/${other}/messages`, text)).json();
    const batch = (await post(t, `/api/sessions/${other}/messages/bulk`, { messages: [text] })).json();
    expect((await inject('GET', `/api/messages/${theirs.id}`)).statusCode).toBe(403);
    expect((await inject('GET', `/api/batches/${batch.batchId}`)).statusCode).toBe(403);
    expect((await inject('POST', `/api/batches/${batch.batchId}/cancel`)).statusCode).toBe(403);
    expect((await t.db.repos.messages.countByBatch(batch.batchId))?.counts.queued).toBe(1);
  });
});
