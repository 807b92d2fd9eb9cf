import { hashApiKey } from '@wagw/db';
import { QUEUES, WEBHOOK_BACKOFF_TYPE, WEBHOOK_JOB, webhookReplayJobId } from '@wagw/queue';
import { createNetworkPolicy } from '@wagw/webhooks';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

const retry = { maxAttempts: 4, backoffMs: 2000 };
const GLOBAL = { url: 'https://93.184.215.14/global', events: ['*'], secret: null };
const KEY = 'wagw_dead_letters_key_0123456789';

let t: TestApp;
let queue: Queue;
let sessionId: string;
let hookA: string;
let hookB: string;
beforeAll(async () => {
  t = await createTestApp({ webhooks: { policy: createNetworkPolicy([]), global: GLOBAL, retry } });
  queue = new Queue(QUEUES.webhooks, { connection: t.redis, prefix: t.prefix });
  sessionId = (await t.db.repos.sessions.create({ name: 'dl' })).id;
  await t.db.repos.apiKeys.create({
    name: 'dl',
    keyHash: hashApiKey(KEY),
    prefix: 'wagw_dead_let',
    sessionId,
  });
  hookA = (await t.db.repos.webhooks.create({ sessionId, url: 'https://93.184.215.14/a', events: ['*'] })).id;
  hookB = (await t.db.repos.webhooks.create({ sessionId, url: 'https://93.184.215.14/b', events: ['*'] })).id;
});
afterAll(async () => {
  await queue.close();
  await t.close();
});

type Method = 'GET' | 'POST' | 'DELETE';
const call = (method: Method, url: string, headers: Record<string, string> = AUTH) =>
  t.app.inject({ method, url, headers });

let seq = 0;
/** Records a dead letter as the worker would, with a well-formed event envelope. */
async function deadLetter(webhookId: string, sid: string | null = sessionId, attempts = 4) {
  seq += 1;
  const eventId = `evt-${seq}`;
  const payload = {
    id: eventId,
    event: 'message.received',
    sessionId: sid,
    timestamp: new Date().toISOString(),
    data: { text: `hello ${seq}` },
  };
  return t.db.repos.deadLetters.record({
    webhookId,
    sessionId: sid,
    eventId,
    event: 'message.received',
    payload,
    attempts,
    lastStatus: 500,
    lastResponse: 'boom',
    lastError: 'HTTP 500',
  });
}

describe('listing dead letters', () => {
  it('pages newest first with the envelope and the last failure', async () => {
    const rows = [];
    for (let i = 0; i < 5; i++) rows.push(await deadLetter(hookA));
    await deadLetter(hookB);
    const first = (await call('GET', `/api/webhooks/${hookA}/dead-letters?limit=2`)).json();
    expect(first.items.map((d: { id: string }) => d.id)).toEqual([rows[4]!.id, rows[3]!.id]);
    expect(first.items[0]).toEqual({
      id: rows[4]!.id,
      webhookId: hookA,
      sessionId,
      eventId: rows[4]!.eventId,
      event: 'message.received',
      attempts: 4,
      lastStatus: 500,
      lastResponse: 'boom',
      lastError: 'HTTP 500',
      status: 'dead',
      replayCount: 0,
      createdAt: rows[4]!.createdAt.toISOString(),
      updatedAt: rows[4]!.updatedAt.toISOString(),
      payload: rows[4]!.payload,
    });
    const ids = [...first.items];
    let cursor: string | null = first.nextCursor;
    while (cursor) {
      const page = (await call('GET', `/api/webhooks/${hookA}/dead-letters?limit=2&cursor=${cursor}`)).json();
      ids.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(ids.map((d: { id: string }) => d.id)).toEqual(rows.map((r) => r.id).reverse());
    const replaying = (await call('GET', `/api/webhooks/${hookA}/dead-letters?status=replaying`)).json();
    expect(replaying).toEqual({ items: [], nextCursor: null });
  });

  it('404 WEBHOOK_NOT_FOUND for an unknown webhook, 400 for a bad status or limit', async () => {
    expect((await call('GET', '/api/webhooks/nope/dead-letters')).json().code).toBe('WEBHOOK_NOT_FOUND');
    expect((await call('GET', `/api/webhooks/${hookA}/dead-letters?status=gone`)).statusCode).toBe(400);
    expect((await call('GET', `/api/webhooks/${hookA}/dead-letters?limit=0`)).statusCode).toBe(400);
  });
});

describe('replaying dead letters', () => {
  it('replays one: 202, a job on the webhooks queue, the row replaying; again is 409', async () => {
    const row = await deadLetter(hookA, sessionId, 7);
    const res = await call('POST', `/api/webhooks/${hookA}/dead-letters/${row.id}/replay`);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ replayed: 1, ids: [row.id] });
    const job = await queue.getJob(webhookReplayJobId(row.id, 1));
    expect(job?.name).toBe(WEBHOOK_JOB);
    expect(job?.data).toEqual({
      eventId: row.eventId,
      webhookId: hookA,
      event: row.payload,
      deadLetterId: row.id,
      priorAttempts: 7,
    });
    expect(job?.opts).toMatchObject({ attempts: 4, backoff: { type: WEBHOOK_BACKOFF_TYPE, delay: 2000 } });
    expect(await t.db.repos.deadLetters.getById(row.id)).toMatchObject({
      status: 'replaying',
      replayCount: 1,
    });

    const again = await call('POST', `/api/webhooks/${hookA}/dead-letters/${row.id}/replay`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('CONFLICT');
  });

  it('a dead letter of another webhook, or none, is 404 DEAD_LETTER_NOT_FOUND', async () => {
    const ofB = await deadLetter(hookB);
    for (const url of [
      `/api/webhooks/${hookA}/dead-letters/${ofB.id}/replay`,
      `/api/webhooks/${hookA}/dead-letters/nope/replay`,
    ]) {
      const res = await call('POST', url);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('DEAD_LETTER_NOT_FOUND');
    }
    expect((await t.db.repos.deadLetters.getById(ofB.id))?.status).toBe('dead');
  });

  it('replays all dead ones of a webhook (not those already replaying); a second call replays none', async () => {
    const dead = (await t.db.repos.deadLetters.list({ webhookId: hookA, status: 'dead', limit: 1000 })).items;
    expect(dead.length).toBeGreaterThan(0);
    const res = await call('POST', `/api/webhooks/${hookA}/dead-letters/replay`);
    expect(res.statusCode).toBe(202);
    expect(res.json().replayed).toBe(dead.length);
    expect([...res.json().ids].sort()).toEqual(dead.map((d) => d.id).sort());
    for (const row of dead) {
      const job = await queue.getJob(webhookReplayJobId(row.id, 1));
      expect(job?.data).toMatchObject({
        deadLetterId: row.id,
        webhookId: hookA,
        priorAttempts: row.attempts,
      });
    }
    const counts = await t.db.repos.deadLetters.countByStatus(hookA);
    expect(counts.dead).toBe(0);
    expect((await call('POST', `/api/webhooks/${hookA}/dead-letters/replay`)).json()).toEqual({
      replayed: 0,
      ids: [],
    });
  });

  it('the session key of the webhook may list and replay its dead letters', async () => {
    const row = await deadLetter(hookB);
    const headers = { 'x-api-key': KEY };
    const list = await call('GET', `/api/webhooks/${hookB}/dead-letters`, headers);
    expect(list.json().items.map((d: { id: string }) => d.id)).toContain(row.id);
    const res = await call('POST', `/api/webhooks/${hookB}/dead-letters/${row.id}/replay`, headers);
    expect(res.statusCode).toBe(202);
    // `config` is admin only.
    expect((await call('GET', '/api/webhooks/config/dead-letters', headers)).statusCode).toBe(403);
  });
});

describe('discarding dead letters', () => {
  it('discards one (204, then 404) and all of a webhook (200 with the count)', async () => {
    const one = await deadLetter(hookB);
    const two = await deadLetter(hookB);
    expect((await call('DELETE', `/api/webhooks/${hookB}/dead-letters/${one.id}`)).statusCode).toBe(204);
    expect(await t.db.repos.deadLetters.getById(one.id)).toBeNull();
    const again = await call('DELETE', `/api/webhooks/${hookB}/dead-letters/${one.id}`);
    expect(again.json()).toMatchObject({ statusCode: 404, code: 'DEAD_LETTER_NOT_FOUND' });
    // Not through another webhook's path.
    expect((await call('DELETE', `/api/webhooks/${hookA}/dead-letters/${two.id}`)).statusCode).toBe(404);

    const total = (await t.db.repos.deadLetters.list({ webhookId: hookB, limit: 1000 })).items.length;
    const all = await call('DELETE', `/api/webhooks/${hookB}/dead-letters`);
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({ discarded: total });
    expect((await t.db.repos.deadLetters.list({ webhookId: hookB, limit: 10 })).items).toEqual([]);
  });

  it('deleting a webhook deletes its dead letters', async () => {
    const hook = (
      await t.db.repos.webhooks.create({ sessionId, url: 'https://93.184.215.14/c', events: ['*'] })
    ).id;
    const row = await deadLetter(hook);
    expect((await call('DELETE', `/api/webhooks/${hook}`)).statusCode).toBe(204);
    expect(await t.db.repos.deadLetters.getById(row.id)).toBeNull();
    expect((await call('GET', `/api/webhooks/${hook}/dead-letters`)).json().code).toBe('WEBHOOK_NOT_FOUND');
  });
});

describe('dead letters of the configuration webhook', () => {
  it('are listed, replayed and discarded by the admin under `config`', async () => {
    const row = await deadLetter('config', null);
    const list = (await call('GET', '/api/webhooks/config/dead-letters')).json();
    expect(list.items.map((d: { id: string }) => d.id)).toEqual([row.id]);
    const res = await call('POST', `/api/webhooks/config/dead-letters/${row.id}/replay`);
    expect(res.statusCode).toBe(202);
    const job = await queue.getJob(webhookReplayJobId(row.id, 1));
    expect(job?.data).toMatchObject({ webhookId: 'config', deadLetterId: row.id });
    expect((await call('DELETE', '/api/webhooks/config/dead-letters')).json()).toEqual({ discarded: 1 });
  });
});
