import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase, type Database } from '@wagw/db';
import {
  createEvent,
  createProducerConnection,
  type RedisConnection,
  redisKeys,
  waitUntilReady,
} from '@wagw/queue';
import { redisUrl, type TempSqlite, tempSqliteUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_WEBHOOK_ID, createWebhookTargets } from '../src/webhooks/webhook-targets.js';

let sqlite: TempSqlite;
let db: Database;
let redis: RedisConnection;
const prefix = uniquePrefix('webhook-targets');
let reads = 0;

beforeAll(async () => {
  sqlite = tempSqliteUrl();
  db = await createDatabase({ url: sqlite.url });
  await db.migrate();
  redis = createProducerConnection(redisUrl());
  await waitUntilReady(redis);
});
afterAll(async () => {
  await redis.del(redisKeys(prefix).webhooksVersion);
  redis.disconnect();
  await db.close();
  sqlite.cleanup();
});

function targets(options: { maxAgeMs?: number; global?: boolean } = {}) {
  return createWebhookTargets({
    repos: db.repos,
    global: options.global ? { url: 'http://127.0.0.1:9/all', events: ['*'], secret: null } : null,
    // Every database read of the targets goes through here: counting them shows the cache at work.
    db: (fn) => {
      reads += 1;
      return fn();
    },
    redis,
    prefix,
    maxAgeMs: options.maxAgeMs,
  });
}
const received = (sessionId: string | null) => createEvent('message.received', sessionId, {});
const ids = (lists: Array<Array<{ id: string }>>) => lists.map((hooks) => hooks.map((h) => h.id));

describe('webhook targets', () => {
  it('caches per session and sees a change as soon as the API bumps the version', async () => {
    const session = await db.repos.sessions.create({ name: 'cached' });
    const first = await db.repos.webhooks.create({
      sessionId: session.id,
      url: 'http://h/1',
      events: ['message.*'],
    });
    const t = targets();
    expect(ids(await t.resolve([received(session.id), received(session.id)]))).toEqual([
      [first.id],
      [first.id],
    ]);
    const before = reads;
    await t.resolve([received(session.id)]);
    expect(reads).toBe(before);

    const second = await db.repos.webhooks.create({
      sessionId: session.id,
      url: 'http://h/2',
      events: ['*'],
    });
    await redis.incr(redisKeys(prefix).webhooksVersion);
    expect(ids(await t.resolve([received(session.id)]))).toEqual([[first.id, second.id]]);
    expect(reads).toBeGreaterThan(before);
  });

  it('refreshes after maxAgeMs even when no bump arrives', async () => {
    const session = await db.repos.sessions.create({ name: 'aged' });
    const t = targets({ maxAgeMs: 50 });
    expect(ids(await t.resolve([received(session.id)]))).toEqual([[]]);
    const hook = await db.repos.webhooks.create({ sessionId: session.id, url: 'http://h/3', events: ['*'] });
    await sleep(60);
    expect(ids(await t.resolve([received(session.id)]))).toEqual([[hook.id]]);
  });

  it('filters by event and by the session settings; the configured webhook gets every event', async () => {
    const quiet = await db.repos.sessions.create({
      name: 'quiet',
      settings: { webhooks: { inbound: false } },
    });
    const hook = await db.repos.webhooks.create({ sessionId: quiet.id, url: 'http://h/4', events: ['*'] });
    const t = targets({ global: true });
    const status = createEvent('message.status', quiet.id, {});
    const qr = createEvent('session.qr', quiet.id, {});
    expect(ids(await t.resolve([received(quiet.id), status, qr, received(null)]))).toEqual([
      [],
      [hook.id, CONFIG_WEBHOOK_ID],
      [hook.id, CONFIG_WEBHOOK_ID],
      [CONFIG_WEBHOOK_ID],
    ]);
    expect((await t.get(CONFIG_WEBHOOK_ID))?.url).toBe('http://127.0.0.1:9/all');
    expect((await t.get(hook.id))?.id).toBe(hook.id);
  });
});
