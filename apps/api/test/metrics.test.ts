import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { hashApiKey } from '@wagw/db';
import { applyMediaRetention } from '@wagw/maintenance';
import { createFsMediaStore } from '@wagw/media';
import {
  createEvent,
  metricsKeys,
  publishEvent,
  QUEUES,
  recordDisconnect,
  recordMedia,
  redisKeys,
  startHeartbeat,
  WEBHOOK_DISPATCH_GROUP,
} from '@wagw/queue';
import { createTempDir, requireTool } from '@wagw/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

const PHONE = '4917012345678';
const TOKEN = 'metrics-token-0123456789';

let promtool = '';
let t: TestApp;
let guarded: TestApp;
let sessionId = '';
let messageId = '';
beforeAll(async () => {
  promtool = requireTool('promtool');
  t = await createTestApp();
  guarded = await createTestApp({ config: { metricsToken: TOKEN } });
  const session = await t.db.repos.sessions.create({ name: 'metrics', desiredState: 'running' });
  sessionId = session.id;
  await t.db.repos.sessions.transitionStatus(session.id, { to: 'open', reason: 'test' });
  const message = await t.db.repos.messages.insert({
    sessionId,
    direction: 'outbound',
    waMessageId: '3EB0C431C26A1916E5F4',
    remoteJid: `${PHONE}@s.whatsapp.net`,
    type: 'text',
    payload: { text: 'hello' },
  });
  messageId = message.id;
  // What workers record: two disconnects with 428 (both reconnected), one 401.
  await recordDisconnect(t.redis, t.prefix, 428, { reconnecting: true });
  await recordDisconnect(t.redis, t.prefix, 428, { reconnecting: true });
  await recordDisconnect(t.redis, t.prefix, 401, { reconnecting: false });
  await t.redis.hset(metricsKeys(t.prefix).webhooks, 'delivered', 7, 'failed', 1);
});
afterAll(async () => {
  await guarded.close();
  await t.close();
});

/** Scrapes with the admin key unless told otherwise: without METRICS_TOKEN that is what opens it. */
async function scrape(app: TestApp, headers: Record<string, string> = AUTH) {
  return app.app.inject({ method: 'GET', url: '/metrics', headers });
}

describe('GET /metrics', () => {
  it('exports sessions, messages, breakers, queues and counters, valid for promtool', async () => {
    const worker = startHeartbeat({
      redis: t.redis,
      prefix: t.prefix,
      role: 'worker',
      instanceId: 'w-metrics',
      intervalMs: 60_000,
      // A careless breaker name carrying a phone number must not reach a label.
      collect: () => ({
        breakers: { [`send:${sessionId}`]: 'open', [`send:+${PHONE}`]: 'half-open' },
        dbSpool: { depth: 12, memory: 2, refused: 3 },
        heapAfterGc: 45_678_901,
      }),
    });
    await worker.ready;
    // One request first, so the duration histogram has a series with a route pattern.
    await t.app.inject({ method: 'GET', url: `/api/sessions/${sessionId}`, headers: AUTH });
    try {
      const res = await scrape(t);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.body;
      // promtool exits non-zero on any format error; lint warnings (e.g. naming) are errors too.
      execFileSync(promtool, ['check', 'metrics'], { input: text });

      expect(text).toContain('process_cpu_seconds_total');
      expect(text).toContain('wagw_sessions{status="open"} 1');
      expect(text).toContain('wagw_sessions{status="failed"} 0');
      expect(text).toContain('wagw_messages{status="queued"} 1');
      expect(text).toContain(
        `wagw_circuit_breaker_state{breaker="send:${sessionId}",instance_id="w-metrics"} 2`,
      );
      expect(text).toContain(
        'wagw_circuit_breaker_state{breaker="send:<redacted>",instance_id="w-metrics"} 1',
      );
      expect(text).toContain('wagw_db_spool_entries{instance_id="w-metrics",store="redis"} 10');
      expect(text).toContain('wagw_db_spool_entries{instance_id="w-metrics",store="memory"} 2');
      expect(text).toContain('wagw_db_spool_refused{instance_id="w-metrics"} 3');
      expect(text).toContain('wagw_worker_heap_after_gc_bytes{instance_id="w-metrics"} 45678901');
      expect(text).toContain('wagw_queue_jobs{queue="session-commands",state="waiting"} 0');
      expect(text).toContain('wagw_queue_jobs{queue="sends",state="failed"} 0');
      expect(text).toContain('wagw_session_disconnects_total{code="428"} 2');
      expect(text).toContain('wagw_session_disconnects_total{code="401"} 1');
      expect(text).toContain('wagw_session_reconnects_total{code="428"} 2');
      expect(text).not.toContain('wagw_session_reconnects_total{code="401"}');
      expect(text).toContain('wagw_webhook_deliveries_total{outcome="delivered"} 7');
      expect(text).toContain('wagw_workers{state="live"} 1');
      expect(text).toContain('wagw_dependency_up{dependency="redis"} 1');
      expect(text).toMatch(
        /wagw_http_request_duration_seconds_count\{method="GET",route="\/api\/sessions\/:id",status_code="200"\} 1/,
      );
      // Labels never carry a phone number, a message id or a raw URL.
      expect(text).not.toContain(PHONE);
      expect(text).not.toContain(messageId);
      expect(text).not.toContain('3EB0C431C26A1916E5F4');
      expect(text).not.toContain(`/api/sessions/${sessionId}`);
    } finally {
      await worker.stop();
    }
  });

  it('exports the webhooks queue, dead letters and the dispatch group, valid for promtool', async () => {
    const dispatch = (metric: string, value: number) =>
      `${metric}{group="${WEBHOOK_DISPATCH_GROUP}"} ${value}`;
    const before = (await scrape(t)).body;
    expect(before).toContain('wagw_webhook_dead_letters{status="dead"} 0');
    expect(before).toContain('wagw_webhook_dead_letters{status="replaying"} 0');
    expect(before).toContain('wagw_queue_jobs{queue="webhooks",state="waiting"} 0');
    // No stream and no group yet: nothing waits.
    expect(before).toContain(dispatch('wagw_event_dispatch_pending', 0));
    expect(before).toContain(dispatch('wagw_event_dispatch_lag', 0));

    const queue = new Queue(QUEUES.webhooks, { connection: t.redis, prefix: t.prefix });
    const key = redisKeys(t.prefix).events;
    try {
      await queue.add('deliver', { n: 1 });
      await queue.add('deliver', { n: 2 }, { delay: 60_000 });
      const letters = [];
      for (const webhookId of ['config', 'config', 'wh-metrics'])
        letters.push(
          await t.db.repos.deadLetters.record({
            webhookId,
            sessionId,
            eventId: `evt-${letters.length}`,
            event: 'message.received',
            payload: { id: `evt-${letters.length}` },
            attempts: 5,
            lastStatus: null,
            lastResponse: null,
            lastError: 'timeout after 10000 ms',
          }),
        );
      await t.db.repos.deadLetters.markReplaying({ id: letters[0]?.id as string });
      await t.redis.xgroup('CREATE', key, WEBHOOK_DISPATCH_GROUP, '$', 'MKSTREAM');
      for (let i = 0; i < 4; i++)
        await publishEvent(t.redis, t.prefix, createEvent('session.status', sessionId, { i }));
      await t.redis.xreadgroup('GROUP', WEBHOOK_DISPATCH_GROUP, 'fake', 'COUNT', 1, 'STREAMS', key, '>');

      const text = (await scrape(t)).body;
      execFileSync(promtool, ['check', 'metrics'], { input: text });
      expect(text).toContain('wagw_queue_jobs{queue="webhooks",state="waiting"} 1');
      expect(text).toContain('wagw_queue_jobs{queue="webhooks",state="delayed"} 1');
      expect(text).toContain('wagw_queue_jobs{queue="webhooks",state="active"} 0');
      expect(text).toContain('wagw_queue_jobs{queue="webhooks",state="failed"} 0');
      expect(text).toContain('wagw_webhook_dead_letters{status="dead"} 2');
      expect(text).toContain('wagw_webhook_dead_letters{status="replaying"} 1');
      expect(text).toContain(dispatch('wagw_event_dispatch_pending', 1));
      expect(text).toContain(dispatch('wagw_event_dispatch_lag', 3));

      // Redis cannot count the lag (an unread entry was deleted): the series is absent, not 0.
      const [[last] = []] = await t.redis.xrevrange(key, '+', '-', 'COUNT', 1);
      await t.redis.xdel(key, last as string);
      const unknown = (await scrape(t)).body;
      execFileSync(promtool, ['check', 'metrics'], { input: unknown });
      expect(unknown).toContain(dispatch('wagw_event_dispatch_pending', 1));
      expect(unknown).not.toContain('wagw_event_dispatch_lag{');
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await t.redis.del(key);
      await t.db.repos.deadLetters.discard({ webhookId: 'config' });
      await t.db.repos.deadLetters.discard({ webhookId: 'wh-metrics' });
    }
  });

  it('drops the Redis and database series when the stores cannot be read', async () => {
    const down = await createTestApp({ redisUrlOverride: 'redis://127.0.0.1:1' });
    try {
      const text = (await scrape(down)).body;
      execFileSync(promtool, ['check', 'metrics'], { input: text });
      expect(text).toContain('wagw_dependency_up{dependency="redis"} 0');
      expect(text).not.toContain('wagw_event_dispatch_pending{');
      expect(text).not.toContain('wagw_queue_jobs{');
      expect(text).not.toContain('wagw_media_events_total{');
      expect(text).not.toContain('wagw_media_stored_bytes{');
      // The database is up: dead letters are still exported.
      expect(text).toContain('wagw_webhook_dead_letters{status="dead"} 0');
    } finally {
      await down.close();
    }
  });

  it('exports the media counters of every process and what the store holds, valid for promtool', async () => {
    // Its own app (prefix), so every media number below is known.
    const m = await createTestApp();
    const dir = createTempDir('wagw-metrics-media-');
    try {
      const before = (await scrape(m)).body;
      execFileSync(promtool, ['check', 'metrics'], { input: before });
      for (const event of ['stored', 'fetched', 'received', 'sent', 'failed', 'deleted']) {
        expect(before).toContain(`wagw_media_events_total{event="${event}"} 0`);
        expect(before).toContain(`wagw_media_bytes_total{event="${event}"} 0`);
      }
      // No retention walk yet: the store's size is unknown, so absent rather than 0.
      expect(before).not.toContain('wagw_media_stored_bytes{');

      // What the API and the workers record...
      await recordMedia(m.redis, m.prefix, 'stored', 1000);
      await recordMedia(m.redis, m.prefix, 'stored', 24);
      await recordMedia(m.redis, m.prefix, 'received', 2048);
      await recordMedia(m.redis, m.prefix, 'sent', 1024);
      await recordMedia(m.redis, m.prefix, 'failed', 0);
      // ...and a retention run over a real store: one old file goes, one a queued message uses stays.
      const store = createFsMediaStore({ root: dir.path });
      const put = (size: number) =>
        store.put(Readable.from([Buffer.alloc(size, size)]), { maxBytes: 4096, mimetype: 'text/plain' });
      const unused = await put(200);
      const needed = await put(300);
      const session = await m.db.repos.sessions.create({ name: 'media-metrics' });
      await m.db.repos.messages.insert({
        sessionId: session.id,
        direction: 'outbound',
        remoteJid: `${PHONE}@s.whatsapp.net`,
        type: 'document',
        payload: { media: { id: needed.id } },
        mediaId: needed.id,
      });
      const walkStarted = Math.floor(Date.now() / 1000);
      const report = await applyMediaRetention({
        repos: m.db.repos,
        store,
        backend: 'fs',
        redis: m.redis,
        prefix: m.prefix,
        retentionDays: 30,
        now: () => new Date(Date.now() + 31 * 24 * 3600_000),
      });
      expect(report).toMatchObject({ deleted: 1, keptInUse: 1, sampleDeletedIds: [unused.id] });

      const text = (await scrape(m)).body;
      execFileSync(promtool, ['check', 'metrics'], { input: text });
      const expected: Record<string, [number, number]> = {
        stored: [2, 1024],
        fetched: [0, 0],
        received: [1, 2048],
        sent: [1, 1024],
        failed: [1, 0],
        deleted: [1, 200],
      };
      for (const [event, [count, bytes]] of Object.entries(expected)) {
        expect(text).toContain(`wagw_media_events_total{event="${event}"} ${count}`);
        expect(text).toContain(`wagw_media_bytes_total{event="${event}"} ${bytes}`);
      }
      expect(text).toContain('wagw_media_stored_bytes{backend="fs"} 300');
      expect(text).toContain('wagw_media_stored_objects{backend="fs"} 1');
      const at = Number(/wagw_media_stored_timestamp_seconds\{backend="fs"\} (\d+)/.exec(text)?.[1]);
      expect(at).toBeGreaterThanOrEqual(walkStarted);
      expect(at).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    } finally {
      dir.cleanup();
      await m.close();
    }
  });

  it('needs the admin API key without METRICS_TOKEN: closed by default', async () => {
    const none = await scrape(t, {});
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'UNAUTHORIZED', requestId: none.headers['x-request-id'] });
    expect((await scrape(t, { 'x-api-key': 'wrong-key-0000000000' })).statusCode).toBe(401);
    expect((await scrape(t, { authorization: `Bearer ${AUTH['x-api-key']}` })).statusCode).toBe(200);
    // A session's key is not the admin's: the metrics describe every session.
    const sessionKey = 'metrics-session-key-0123456789';
    await t.db.repos.apiKeys.create({
      name: 'metrics',
      keyHash: hashApiKey(sessionKey),
      prefix: 'metrics-',
      sessionId,
    });
    expect((await scrape(t, { 'x-api-key': sessionKey })).statusCode).toBe(403);
  });

  it('is open without credentials with METRICS_PUBLIC (a private scrape network)', async () => {
    const open = await createTestApp({ config: { metricsPublic: true } });
    try {
      const res = await scrape(open, {});
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('wagw_sessions');
    } finally {
      await open.close();
    }
  });

  it('counts wrong metrics tokens as failed authentication of the address (429 past the limit)', async () => {
    const limited = await createTestApp({ config: { metricsToken: TOKEN, authFailuresPerMinute: 3 } });
    try {
      for (let i = 0; i < 3; i++)
        expect((await scrape(limited, { authorization: 'Bearer wrong-token-000000000' })).statusCode).toBe(
          401,
        );
      const blocked = await scrape(limited, { authorization: `Bearer ${TOKEN}` });
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json()).toMatchObject({ code: 'RATE_LIMITED' });
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('requires the bearer token when METRICS_TOKEN is set; the API key is not enough', async () => {
    const none = await scrape(guarded, {});
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await scrape(guarded, { authorization: 'Bearer wrong-token-000000000' })).statusCode).toBe(401);
    expect((await scrape(guarded, AUTH)).statusCode).toBe(401);
    const ok = await scrape(guarded, { authorization: `Bearer ${TOKEN}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('wagw_sessions');
  });
});
