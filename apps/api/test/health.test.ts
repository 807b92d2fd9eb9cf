import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFsMediaStore, createS3MediaStore, type MediaStore } from '@wagw/media';
import { QUEUES, redisKeys, sendQueueName, startHeartbeat } from '@wagw/queue';
import { createTempDir, type LocalS3, startLocalS3, tempSqliteUrl } from '@wagw/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './api-test-app.js';
import { startMediaApp } from './media-test-app.js';

// A worker as apps/worker/src/main.ts publishes it: worker.stats() plus memory and loop delay.
const workerFacts = (breakers: Record<string, string> = {}) => ({
  sessions: 2,
  open: 1,
  capacity: 50,
  rss: 123_456_789,
  heapAfterGc: 45_678_901,
  eventLoopDelayP99Ms: 12,
  breakers,
});

const sqlite = tempSqliteUrl();
let t: TestApp;
let replica: TestApp;
beforeAll(async () => {
  t = await createTestApp({ databaseUrl: sqlite.url });
  // A second API replica on the same Redis prefix and the same database file.
  replica = await createTestApp({ prefix: t.prefix, databaseUrl: sqlite.url });
});
afterAll(async () => {
  await replica.close();
  await t.close();
  sqlite.cleanup();
});

const health = async (app: TestApp) => {
  const res = await app.app.inject({ method: 'GET', url: '/api/health' });
  return { statusCode: res.statusCode, body: res.json() };
};

describe('GET /api/health', () => {
  it('is ok with a worker beating, degraded while it is missing, ok again when it is back', async () => {
    let breakers: Record<string, string> = { 'db:w-1': 'closed' };
    const beforeBeat = Date.now();
    const worker = startHeartbeat({
      redis: t.redis,
      prefix: t.prefix,
      role: 'worker',
      instanceId: 'w-1',
      intervalMs: 60_000,
      collect: () => workerFacts(breakers),
    });
    await worker.ready;
    const afterBeat = Date.now();
    try {
      const ok = await health(t);
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toMatchObject({ status: 'ok', reasons: [], database: 'connected', redis: 'connected' });
      expect(ok.body.workers).toEqual([
        expect.objectContaining({
          instanceId: 'w-1',
          sessions: 2,
          open: 1,
          capacity: 50,
          rss: 123_456_789,
          heapAfterGc: 45_678_901,
          eventLoopDelayP99Ms: 12,
          breakers: { 'db:w-1': 'closed' },
          lastBeatAt: expect.any(String),
        }),
      ]);
      const lastBeatAt = Date.parse(ok.body.workers[0].lastBeatAt);
      expect(lastBeatAt).toBeGreaterThanOrEqual(beforeBeat);
      expect(lastBeatAt).toBeLessThanOrEqual(afterBeat);
      expect(ok.body.circuitBreakers).toEqual({
        'db:w-1': { state: 'closed', workers: { 'w-1': 'closed' } },
      });

      // The worker dies: its heartbeat key expires, the "seen" entry stays for 10 minutes.
      await t.redis.del(redisKeys(t.prefix).heartbeat('worker', 'w-1'));
      const missing = await health(t);
      expect(missing.statusCode).toBe(200);
      expect(missing.body.status).toBe('degraded');
      expect(missing.body.missingWorkers).toEqual(['w-1']);
      expect(missing.body.reasons).toEqual(['no worker heartbeat', 'worker w-1 missing']);

      await worker.beat();
      expect((await health(t)).body.status).toBe('ok');

      breakers = { 'db:w-1': 'open' };
      await worker.beat();
      const open = await health(t);
      expect(open.body.status).toBe('degraded');
      expect(open.body.reasons).toEqual(['circuit breaker db:w-1 open']);
    } finally {
      await worker.stop();
    }
    // A clean stop is not "missing": the worker said goodbye.
    expect((await health(t)).body.reasons).toEqual(['no worker heartbeat']);
  });

  it('counts sessions by status and degrades on failed sessions', async () => {
    const worker = startHeartbeat({
      redis: t.redis,
      prefix: t.prefix,
      role: 'worker',
      instanceId: 'w-2',
      intervalMs: 60_000,
      collect: () => workerFacts(),
    });
    await worker.ready;
    const s = await t.db.repos.sessions.create({ name: 'failing', desiredState: 'running' });
    try {
      await t.db.repos.sessions.transitionStatus(s.id, { to: 'failed', reason: 'test', disconnectCode: 403 });
      const { body } = await health(t);
      expect(body.sessions).toMatchObject({ total: 1, failed: 1, open: 0, connected: 0, reconnecting: 0 });
      expect(body.status).toBe('degraded');
      expect(body.reasons).toEqual(['1 session failed']);
    } finally {
      await t.db.repos.sessions.softDelete(s.id);
      await worker.stop();
    }
  });

  it('reports queue depths per family, all send queues as one total', async () => {
    const sends = [sendQueueName('S1'), sendQueueName('S2')].map(
      (name) => new Queue(name, { connection: t.redis, prefix: t.prefix }),
    );
    try {
      for (const queue of sends) await queue.add('send', { n: 1 });
      await sends[0]?.add('send', { n: 2 }, { delay: 60_000 });
      await t.sessionCommands.add('reconcile', { sessionId: 'x' });
      const { body } = await health(t);
      expect(body.queues[QUEUES.sessionCommands]).toMatchObject({
        waiting: 1,
        active: 0,
        delayed: 0,
        failed: 0,
      });
      expect(body.queues.maintenance).toMatchObject({ waiting: 0 });
      expect(body.queues.sends).toMatchObject({ queues: 2, totalWaiting: 2, totalDelayed: 1 });
    } finally {
      for (const queue of sends) {
        await queue.obliterate({ force: true });
        await queue.close();
      }
      await t.sessionCommands.drain();
    }
  });

  it('gives the same answer on two replicas', async () => {
    const worker = startHeartbeat({
      redis: t.redis,
      prefix: t.prefix,
      role: 'worker',
      instanceId: 'w-3',
      intervalMs: 60_000,
      collect: () => workerFacts({ 'send:S1': 'half-open' }),
    });
    await worker.ready;
    try {
      const [a, b] = await Promise.all([health(t), health(replica)]);
      const shared = (body: Record<string, unknown>) => ({
        status: body.status,
        reasons: body.reasons,
        sessions: body.sessions,
        workers: body.workers,
        missingWorkers: body.missingWorkers,
        schedulers: body.schedulers,
        circuitBreakers: body.circuitBreakers,
        queues: body.queues,
        webhooks: body.webhooks,
      });
      expect(a.body.workers).toHaveLength(1);
      expect(shared(b.body)).toEqual(shared(a.body));
    } finally {
      await worker.stop();
    }
  });
});

describe('GET /api/health with Redis unreachable', () => {
  let down: TestApp;
  beforeAll(async () => {
    down = await createTestApp({ redisUrlOverride: 'redis://127.0.0.1:1' });
  });
  afterAll(() => down.close());

  it('is error with redis disconnected, 503, in well under 1.5 s; readiness 503', async () => {
    const started = performance.now();
    const { statusCode, body } = await health(down);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1500);
    expect(statusCode).toBe(503);
    expect(body).toMatchObject({
      status: 'error',
      redis: 'disconnected',
      database: 'connected',
      workers: [],
      queues: null,
    });
    expect(body.reasons).toEqual(['redis unreachable']);
    const ready = await down.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(ready.statusCode).toBe(503);
  });
});

describe('the media store in /api/health', () => {
  let s3: LocalS3;
  const dir = createTempDir('wagw-health-media-');
  beforeAll(async () => {
    s3 = await startLocalS3('wagw-health');
  });
  afterAll(async () => {
    await s3.stop();
    dir.cleanup();
  });

  const s3Store = (endpoint: string) =>
    createS3MediaStore({
      bucket: s3.bucket,
      endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
      connectTimeoutMs: 300,
      healthTimeoutMs: 500,
    });

  /** The app with `store` as its media store and a live worker, so the store is all that can fail. */
  async function healthWith(store: MediaStore) {
    const m = await startMediaApp({ wrapStore: () => store });
    const worker = startHeartbeat({
      redis: m.redis,
      prefix: m.prefix,
      role: 'worker',
      instanceId: 'w-media',
      intervalMs: 60_000,
      collect: () => ({}),
    });
    await worker.ready;
    try {
      const health = await m.app.inject({ method: 'GET', url: '/api/health' });
      const ready = await m.app.inject({ method: 'GET', url: '/api/health/ready' });
      return { statusCode: health.statusCode, body: health.json(), readyStatus: ready.statusCode };
    } finally {
      await worker.stop();
      await m.close();
    }
  }

  it('is ok with a writable directory or a reachable bucket', async () => {
    for (const [store, backend] of [
      [createFsMediaStore({ root: join(dir.path, 'media') }), 'fs'],
      [s3Store(s3.endpoint), 's3'],
    ] as const) {
      const { statusCode, body } = await healthWith(store);
      expect(statusCode).toBe(200);
      expect(body).toMatchObject({ status: 'ok', reasons: [] });
      expect(body.checks.media).toEqual({ ok: true, backend, latencyMs: expect.any(Number) });
    }
  });

  it('degrades (still 200 and ready) when the directory cannot be written', async () => {
    // A file where the store's directory should be: nothing can be created under it.
    const blocked = join(dir.path, 'blocked');
    writeFileSync(blocked, 'a file, not a directory');
    const { statusCode, body, readyStatus } = await healthWith(createFsMediaStore({ root: blocked }));
    expect(statusCode).toBe(200);
    expect(readyStatus).toBe(200);
    expect(body).toMatchObject({ status: 'degraded', reasons: ['media store unavailable'] });
    expect(body.checks.media).toMatchObject({
      ok: false,
      backend: 'fs',
      error: expect.stringMatching(/ENOTDIR/),
    });
  });

  it('degrades (still 200 and ready) when the bucket cannot be reached', async () => {
    // A port nothing listens on.
    const { statusCode, body, readyStatus } = await healthWith(s3Store('http://127.0.0.1:1'));
    expect(statusCode).toBe(200);
    expect(readyStatus).toBe(200);
    expect(body).toMatchObject({ status: 'degraded', reasons: ['media store unavailable'] });
    expect(body.checks.media).toMatchObject({ ok: false, backend: 's3', error: expect.any(String) });
  });

  it('degrades when the bucket does not exist', async () => {
    const store = createS3MediaStore({
      bucket: 'no-such-bucket',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    const { body } = await healthWith(store);
    expect(body).toMatchObject({ status: 'degraded', reasons: ['media store unavailable'] });
    expect(body.checks.media).toMatchObject({ ok: false, backend: 's3' });
  });
});
