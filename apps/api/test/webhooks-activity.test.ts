import { hashApiKey } from '@wagw/db';
import {
  type DeliveryAttempt,
  QUEUES,
  recordDeliveryAttempt,
  WEBHOOK_BACKOFF_TYPE,
  WEBHOOK_JOB,
  webhookJobId,
} from '@wagw/queue';
import { createNetworkPolicy } from '@wagw/webhooks';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

const PUBLIC_URL = 'https://93.184.215.14/hook';
const GLOBAL = { url: 'https://93.184.215.14/global', events: ['message.*'], secret: null };
const retry = { maxAttempts: 3, backoffMs: 1500 };

let t: TestApp;
let queue: Queue;
let own: { id: string; headers: Record<string, string> };
let other: { id: string; headers: Record<string, string> };
let ownHook: string;
let otherHook: string;
let globalHook: string;

type Method = 'GET' | 'POST' | 'PATCH';
const call = (method: Method, url: string, headers: Record<string, string> = AUTH, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function sessionWithKey(name: string) {
  const session = await t.db.repos.sessions.create({ name });
  const key = `wagw_${name}_activity_key_0123456789`;
  await t.db.repos.apiKeys.create({
    name,
    keyHash: hashApiKey(key),
    prefix: key.slice(0, 13),
    sessionId: session.id,
  });
  return { id: session.id, headers: { 'x-api-key': key } };
}

beforeAll(async () => {
  t = await createTestApp({ webhooks: { policy: createNetworkPolicy([]), global: GLOBAL, retry } });
  queue = new Queue(QUEUES.webhooks, { connection: t.redis, prefix: t.prefix });
  own = await sessionWithKey('own');
  other = await sessionWithKey('other');
  ownHook = (await t.db.repos.webhooks.create({ sessionId: own.id, url: PUBLIC_URL, events: ['message.*'] }))
    .id;
  otherHook = (await t.db.repos.webhooks.create({ sessionId: other.id, url: PUBLIC_URL, events: ['*'] })).id;
  globalHook = (await t.db.repos.webhooks.create({ sessionId: null, url: PUBLIC_URL, events: ['*'] })).id;
});
afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await t.close();
});

describe('POST /api/webhooks/:id/test', () => {
  it('queues one webhook.test delivery for that webhook only, with the usual retry policy', async () => {
    const before = await queue.getJobCounts();
    const res = await call('POST', `/api/webhooks/${ownHook}/test`);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.event).toMatchObject({
      id: body.eventId,
      event: 'webhook.test',
      sessionId: own.id,
      data: { webhookId: ownHook },
    });
    // The webhook subscribes to message.* only: a test is for the endpoint, whatever its filters.
    const job = await queue.getJob(webhookJobId(body.eventId, ownHook));
    expect(job?.name).toBe(WEBHOOK_JOB);
    expect(job?.data).toEqual({ eventId: body.eventId, webhookId: ownHook, event: body.event });
    expect(job?.opts.attempts).toBe(retry.maxAttempts);
    expect(job?.opts.backoff).toEqual({ type: WEBHOOK_BACKOFF_TYPE, delay: retry.backoffMs });
    const after = await queue.getJobCounts();
    expect((after.waiting ?? 0) - (before.waiting ?? 0)).toBe(1);
    // Past the event stream: no SSE client and no other webhook sees it.
    expect(await t.redis.exists(`${t.prefix}:events`)).toBe(0);
  });

  it('tests a global webhook and the configuration one (admin), with a null session', async () => {
    for (const id of [globalHook, 'config']) {
      const res = await call('POST', `/api/webhooks/${id}/test`);
      expect(res.statusCode).toBe(202);
      expect(res.json().event.sessionId).toBeNull();
      expect((await queue.getJob(webhookJobId(res.json().eventId, id)))?.data.webhookId).toBe(id);
    }
  });

  it('a session key tests its own webhook; 403 for another session’s and for global ones', async () => {
    expect((await call('POST', `/api/webhooks/${ownHook}/test`, own.headers)).statusCode).toBe(202);
    for (const id of [otherHook, globalHook, 'config']) {
      const res = await call('POST', `/api/webhooks/${id}/test`, own.headers);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
  });

  it('409 CONFLICT while the webhook is disabled, 404 WEBHOOK_NOT_FOUND for an unknown one', async () => {
    const hook = await t.db.repos.webhooks.create({ sessionId: own.id, url: PUBLIC_URL, events: ['*'] });
    await call('PATCH', `/api/webhooks/${hook.id}`, AUTH, { enabled: false });
    const disabled = await call('POST', `/api/webhooks/${hook.id}/test`);
    expect(disabled.statusCode).toBe(409);
    expect(disabled.json()).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('disabled') });
    const unknown = await call('POST', '/api/webhooks/no-such-hook/test');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('WEBHOOK_NOT_FOUND');
  });
});

describe('GET /api/webhooks/:id/deliveries', () => {
  const attempt = (n: number, extra: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
    eventId: `evt-${n}`,
    event: 'message.received',
    attempt: n,
    at: new Date(1_700_000_000_000 + n * 1000).toISOString(),
    outcome: 'retrying',
    httpStatus: 500,
    durationMs: 12 + n,
    error: 'HTTP 500',
    replay: false,
    ...extra,
  });

  it('lists what the workers recorded, newest first, limited; an unused webhook has none', async () => {
    await recordDeliveryAttempt(t.redis, t.prefix, ownHook, attempt(1));
    await recordDeliveryAttempt(t.redis, t.prefix, ownHook, attempt(2, { outcome: 'dead_lettered' }));
    await recordDeliveryAttempt(
      t.redis,
      t.prefix,
      ownHook,
      attempt(3, { outcome: 'delivered', httpStatus: 204, error: null, replay: true }),
    );
    const res = await call('GET', `/api/webhooks/${ownHook}/deliveries`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        attempt(3, { outcome: 'delivered', httpStatus: 204, error: null, replay: true }),
        attempt(2, { outcome: 'dead_lettered' }),
        attempt(1),
      ],
    });
    const limited = await call('GET', `/api/webhooks/${ownHook}/deliveries?limit=1`);
    expect(limited.json().items.map((a: DeliveryAttempt) => a.eventId)).toEqual(['evt-3']);
    expect((await call('GET', `/api/webhooks/${otherHook}/deliveries`)).json()).toEqual({ items: [] });
  });

  it('keeps sessions apart: a session key reads its own webhook only', async () => {
    await recordDeliveryAttempt(t.redis, t.prefix, otherHook, attempt(9));
    expect((await call('GET', `/api/webhooks/${ownHook}/deliveries`, own.headers)).statusCode).toBe(200);
    for (const id of [otherHook, globalHook, 'config']) {
      const res = await call('GET', `/api/webhooks/${id}/deliveries`, own.headers);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    expect((await call('GET', `/api/webhooks/${otherHook}/deliveries`, other.headers)).json().items).toEqual([
      attempt(9),
    ]);
  });

  it('400 for a bad limit, 404 for an unknown webhook', async () => {
    expect((await call('GET', `/api/webhooks/${ownHook}/deliveries?limit=0`)).statusCode).toBe(400);
    expect((await call('GET', `/api/webhooks/${ownHook}/deliveries?limit=101`)).statusCode).toBe(400);
    const unknown = await call('GET', '/api/webhooks/no-such-hook/deliveries');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('WEBHOOK_NOT_FOUND');
  });
});

describe('with Redis down', () => {
  it('503 QUEUE_UNAVAILABLE for a test event and for the deliveries, at once', async () => {
    const down = await createTestApp({
      redisUrlOverride: 'redis://127.0.0.1:1',
      webhooks: { policy: createNetworkPolicy([]), global: null, retry },
    });
    try {
      const hook = await down.db.repos.webhooks.create({ sessionId: null, url: PUBLIC_URL, events: ['*'] });
      for (const [method, url] of [
        ['POST', `/api/webhooks/${hook.id}/test`],
        ['GET', `/api/webhooks/${hook.id}/deliveries`],
      ] as const) {
        const started = Date.now();
        const res = await down.app.inject({ method, url, headers: AUTH });
        expect(res.statusCode).toBe(503);
        expect(res.json().code).toBe('QUEUE_UNAVAILABLE');
        expect(Date.now() - started).toBeLessThan(3000);
      }
    } finally {
      await down.close();
    }
  });
});
