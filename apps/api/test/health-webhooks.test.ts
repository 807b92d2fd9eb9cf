import type { Database } from '@wagw/db';
import {
  createEvent,
  publishEvent,
  QUEUES,
  redisKeys,
  startHeartbeat,
  WEBHOOK_DISPATCH_GROUP,
} from '@wagw/queue';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthService } from '../src/routes/health/health.service.js';
import { createTestApp, type TestApp } from './api-test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const health = async (app: TestApp = t) => {
  const res = await app.app.inject({ method: 'GET', url: '/api/health' });
  return { statusCode: res.statusCode, body: res.json() };
};

let seq = 0;
/** A dead letter as the worker records it once a delivery exhausted its retries. */
function deadLetter(webhookId: string) {
  seq += 1;
  const event = createEvent('message.received', null, { text: `hello ${seq}` });
  return t.db.repos.deadLetters.record({
    webhookId,
    sessionId: null,
    eventId: event.id,
    event: event.event,
    payload: { ...event },
    attempts: 5,
    lastStatus: 503,
    lastResponse: 'unavailable',
    lastError: 'HTTP 503',
  });
}

const publish = (n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      publishEvent(t.redis, t.prefix, createEvent('session.status', null, { i })),
    ),
  );

describe('GET /api/health: webhooks', () => {
  it('reports the depths of the webhooks queue next to the other queues', async () => {
    const webhooks = new Queue(QUEUES.webhooks, { connection: t.redis, prefix: t.prefix });
    try {
      expect((await health()).body.queues.webhooks).toEqual({
        waiting: 0,
        active: 0,
        delayed: 0,
        failed: 0,
        completed: 0,
      });
      await webhooks.add('deliver', { n: 1 });
      await webhooks.add('deliver', { n: 2 });
      await webhooks.add('deliver', { n: 3 }, { delay: 60_000 });
      const { body } = await health();
      expect(body.queues.webhooks).toEqual({ waiting: 2, active: 0, delayed: 1, failed: 0, completed: 0 });
      expect(body.queues['session-commands']).toMatchObject({ waiting: 0 });
    } finally {
      await webhooks.obliterate({ force: true });
      await webhooks.close();
    }
  });

  it('counts dead letters by status from the database', async () => {
    expect((await health()).body.webhooks.deadLetters).toEqual({ dead: 0, replaying: 0 });
    const first = await deadLetter('config');
    await deadLetter('config');
    await deadLetter('01JWEBHOOKTEST');
    await t.db.repos.deadLetters.markReplaying({ id: first.id });
    const { body } = await health();
    expect(body.webhooks.deadLetters).toEqual({ dead: 2, replaying: 1 });
    expect(body.status).not.toBe('error');
    await t.db.repos.deadLetters.discard({ webhookId: 'config' });
    await t.db.repos.deadLetters.discard({ webhookId: '01JWEBHOOKTEST' });
    expect((await health()).body.webhooks.deadLetters).toEqual({ dead: 0, replaying: 0 });
  });

  it('reports the dispatch group: pending (read, not fanned out) and lag (not read yet)', async () => {
    const key = redisKeys(t.prefix).events;
    // No stream yet, then a stream without the group (no worker ever started): nothing waits.
    expect(await t.redis.exists(key)).toBe(0);
    expect((await health()).body.webhooks.dispatch).toEqual({ pending: 0, lag: 0 });
    await publish(2);
    expect((await health()).body.webhooks.dispatch).toEqual({ pending: 0, lag: 0 });
    await t.redis.del(key);

    // What a worker does at start: the group reads from now on.
    await t.redis.xgroup('CREATE', key, WEBHOOK_DISPATCH_GROUP, '$', 'MKSTREAM');
    expect((await health()).body.webhooks.dispatch).toEqual({ pending: 0, lag: 0 });
    await publish(5);
    expect((await health()).body.webhooks.dispatch).toEqual({ pending: 0, lag: 5 });

    // A worker reads 2 and dies before acknowledging them.
    const read = (await t.redis.xreadgroup(
      'GROUP',
      WEBHOOK_DISPATCH_GROUP,
      'fake-worker',
      'COUNT',
      2,
      'STREAMS',
      key,
      '>',
    )) as Array<[string, Array<[string, string[]]>]>;
    const ids = read[0]?.[1].map(([id]) => id) ?? [];
    expect(ids).toHaveLength(2);
    expect((await health()).body.webhooks.dispatch).toEqual({ pending: 2, lag: 3 });

    // One fanned out (acknowledged).
    await t.redis.xack(key, WEBHOOK_DISPATCH_GROUP, ids[0] as string);
    expect((await health()).body.webhooks.dispatch).toEqual({ pending: 1, lag: 3 });

    // An entry deleted after the group's position: Redis can no longer count the lag (nil).
    const unread = await t.redis.xrevrange(key, '+', '-', 'COUNT', 1);
    await t.redis.xdel(key, unread[0]?.[0] as string);
    const { body } = await health();
    expect(body.webhooks.dispatch).toEqual({ pending: 1, lag: null });
    expect(body.status).not.toBe('error');
    await t.redis.del(key);
  });

  it('an open webhook receiver breaker leaves the status ok, and stays visible', async () => {
    const worker = startHeartbeat({
      redis: t.redis,
      prefix: t.prefix,
      role: 'worker',
      instanceId: 'w-wh',
      intervalMs: 60_000,
      collect: () => ({
        sessions: 0,
        open: 0,
        capacity: 50,
        breakers: { db: 'closed', 'webhook:x': 'open' },
      }),
    });
    await worker.ready;
    try {
      const { statusCode, body } = await health();
      expect(statusCode).toBe(200);
      expect(body.status).toBe('ok');
      expect(body.reasons).toEqual([]);
      expect(body.circuitBreakers['webhook:x']).toEqual({ state: 'open', workers: { 'w-wh': 'open' } });
      expect(body.workers[0].breakers).toEqual({ db: 'closed', 'webhook:x': 'open' });
    } finally {
      await worker.stop();
    }
  });

  it('lag is null while Redis cannot count it: group created at $ on a stream that had entries', async () => {
    const key = redisKeys(t.prefix).events;
    await publish(2);
    await t.redis.xgroup('CREATE', key, WEBHOOK_DISPATCH_GROUP, '$');
    await publish(3);
    expect((await health()).body.webhooks.dispatch).toEqual({ pending: 0, lag: null });
    // Once the group read up to the end of the stream, Redis counts again.
    await t.redis.xreadgroup(
      'GROUP',
      WEBHOOK_DISPATCH_GROUP,
      'fake-worker',
      'COUNT',
      10,
      'STREAMS',
      key,
      '>',
    );
    await publish(1);
    expect((await health()).body.webhooks.dispatch).toEqual({ pending: 3, lag: 1 });
    await t.redis.del(key);
  });
});

describe('webhooks in health when a store fails', () => {
  it('Redis unreachable: dispatch null, dead letters still counted', async () => {
    const down = await createTestApp({ redisUrlOverride: 'redis://127.0.0.1:1' });
    try {
      const { statusCode, body } = await health(down);
      expect(statusCode).toBe(503);
      expect(body.webhooks).toEqual({ deadLetters: { dead: 0, replaying: 0 }, dispatch: null });
      expect(body.queues).toBeNull();
    } finally {
      await down.close();
    }
  });

  it('a dead-letter read that fails or hangs is null, within the check budget', async () => {
    const db = (countByStatus: () => Promise<never>) =>
      ({
        health: async () => ({ ok: true, latencyMs: 0.1 }),
        repos: {
          sessions: t.db.repos.sessions,
          deadLetters: { ...t.db.repos.deadLetters, countByStatus },
        },
      }) as unknown as Pick<Database, 'health' | 'repos'>;
    await t.redis.del(redisKeys(t.prefix).events);
    for (const countByStatus of [
      () => Promise.reject(new Error('no such table: webhook_dead_letters')),
      () => new Promise<never>(() => {}),
    ]) {
      const service = createHealthService({
        db: db(countByStatus),
        redis: t.redis,
        redisPrefix: t.prefix,
        checkTimeoutMs: 200,
      });
      const started = performance.now();
      const report = await service.report();
      expect(performance.now() - started).toBeLessThan(1000);
      expect(report.webhooks.deadLetters).toBeNull();
      expect(report.webhooks.dispatch).toEqual({ pending: 0, lag: 0 });
      expect(report.sessions).not.toBeNull();
    }
  });
});
