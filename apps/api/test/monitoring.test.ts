import { cpus } from 'node:os';
import { Readable } from 'node:stream';
import { applyMediaRetention, runLockKey, STALE_REASON } from '@wagw/maintenance';
import { createLeaseStore, recordMedia, redisKeys } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';
import { startMediaApp } from './media-test-app.js';

let t: TestApp;
beforeAll(async () => {
  // Any transitional status older than 1 ms counts as stale here (the default is 5 minutes).
  t = await createTestApp({ config: { staleSessionAgeMs: 1 } });
});
afterAll(() => t.close());

describe('GET /api/monitoring/metrics', () => {
  it('needs the API key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/monitoring/metrics' });
    expect(res.statusCode).toBe(401);
  });

  it('reports system, sessions, breakers, queues and stores in one document', async () => {
    // One open session with one queued message, so every count below has a known value.
    const session = await t.db.repos.sessions.create({ name: 'counted', desiredState: 'running' });
    await t.db.repos.sessions.transitionStatus(session.id, { to: 'open', reason: 'test' });
    await t.db.repos.messages.insert({
      sessionId: session.id,
      direction: 'outbound',
      waMessageId: '3EB0C431C26A1916E5F5',
      remoteJid: '15550001111@s.whatsapp.net',
      type: 'text',
      payload: { text: 'hello' },
    });
    const uptimeBefore = Math.round(process.uptime());
    const res = await t.app.inject({ method: 'GET', url: '/api/monitoring/metrics', headers: AUTH });
    const uptimeAfter = Math.round(process.uptime());
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.system.cpu.cores).toBe(cpus().length);
    expect(body.system.cpu.loadAverage).toHaveLength(3);
    expect(body.system.memory.process.rss).toBeGreaterThan(0);
    // inject() runs the app in this process, so its uptime lies between the two readings.
    expect(body.system.uptime.process).toBeGreaterThanOrEqual(uptimeBefore);
    expect(body.system.uptime.process).toBeLessThanOrEqual(uptimeAfter);
    expect(body.database).toMatchObject({ status: 'connected', ok: true });
    expect(body.redis).toMatchObject({ status: 'connected', ok: true });
    expect(body.sessions).toMatchObject({ total: 1, open: 1, connected: 1, starting: 0 });
    expect(body.messages).toMatchObject({ queued: 1, sent: 0 });
    expect(body.circuitBreakers).toEqual({ total: 0, open: 0, halfOpen: 0, breakers: {} });
    expect(body.queues['session-commands']).toMatchObject({ waiting: 0, failed: 0, completed: 0 });
    expect(body.queueRates['session-commands']).toMatchObject({ enabled: false, completedLastHour: 0 });
    // This app has no media store; the counters are the gateway's, none recorded on this prefix.
    expect(body.media.sent).toEqual({ count: 0, bytes: 0 });
    expect(body.mediaStore).toEqual({ check: null, inventory: null });
    // Out of the way of the cleanup tests below: an open session nobody holds a lease on is stale.
    await t.db.repos.sessions.softDelete(session.id);
  });
});

describe('media in GET /api/monitoring/metrics', () => {
  it('reports the counters of every media event, the store check and what the store holds', async () => {
    const m = await startMediaApp();
    try {
      await recordMedia(m.redis, m.prefix, 'stored', 5000);
      await recordMedia(m.redis, m.prefix, 'fetched', 700);
      await recordMedia(m.redis, m.prefix, 'fetched', 300);
      await recordMedia(m.redis, m.prefix, 'failed', 0);
      // A retention run on the app's own store (nothing old): it counts the file it walked past.
      const file = await m.store.put(Readable.from([Buffer.from('inventory')]), {
        maxBytes: 1024,
        mimetype: 'text/plain',
      });
      const walked = Date.now();
      await applyMediaRetention({
        repos: m.db.repos,
        store: m.store,
        backend: 'fs',
        redis: m.redis,
        prefix: m.prefix,
        retentionDays: 30,
      });

      const res = await m.app.inject({ method: 'GET', url: '/api/monitoring/metrics', headers: AUTH });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.media).toEqual({
        stored: { count: 1, bytes: 5000 },
        fetched: { count: 2, bytes: 1000 },
        received: { count: 0, bytes: 0 },
        sent: { count: 0, bytes: 0 },
        failed: { count: 1, bytes: 0 },
        deleted: { count: 0, bytes: 0 },
      });
      expect(body.mediaStore).toEqual({
        check: { ok: true, backend: 'fs', latencyMs: expect.any(Number) },
        inventory: { backend: 'fs', objects: 1, bytes: file.size, measuredAt: expect.any(String) },
      });
      expect(Date.parse(body.mediaStore.inventory.measuredAt)).toBeGreaterThanOrEqual(walked);
    } finally {
      await m.close();
    }
  });

  it('has media null, not zeros, when Redis cannot be read', async () => {
    const down = await createTestApp({ redisUrlOverride: 'redis://127.0.0.1:1' });
    try {
      const res = await down.app.inject({ method: 'GET', url: '/api/monitoring/metrics', headers: AUTH });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ media: null, mediaStore: { inventory: null } });
    } finally {
      await down.close();
    }
  });
});

describe('POST /api/monitoring/cleanup', () => {
  it('resets a session a killed worker left starting, and reports it', async () => {
    const s = await t.db.repos.sessions.create({ name: 'orphan', desiredState: 'running' });
    const leases = createLeaseStore({ redis: t.redis, prefix: t.prefix, ttlMs: 60_000 });
    const lease = await leases.acquire(s.id, 'dead-worker');
    if (!lease) throw new Error('lease not acquired');
    await t.db.repos.sessions.setOwner(s.id, 'dead-worker', lease.generation);
    await t.db.repos.sessions.transitionStatus(s.id, { to: 'starting', reason: 'claimed' });
    // The worker is killed: no renewal, so its lease expires (deleted here instead of waiting).
    await t.redis.del(redisKeys(t.prefix).lease(s.id));
    await new Promise((resolve) => setTimeout(resolve, 10));

    const res = await t.app.inject({ method: 'POST', url: '/api/monitoring/cleanup', headers: AUTH });
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ task: 'stale-session-cleanup', nudged: true });
    expect(report.result.resetSessionIds).toEqual([s.id]);
    expect(await t.db.repos.sessions.getById(s.id)).toMatchObject({
      status: 'starting',
      statusReason: STALE_REASON,
      ownerWorkerId: null,
    });
  });

  it('does nothing while another run holds the lock', async () => {
    await t.redis.set(runLockKey(t.prefix, 'stale-session-cleanup'), 'other', 'PX', 5000);
    try {
      const res = await t.app.inject({ method: 'POST', url: '/api/monitoring/cleanup', headers: AUTH });
      expect(res.json()).toEqual({ task: 'stale-session-cleanup', skipped: 'already running' });
    } finally {
      await t.redis.del(runLockKey(t.prefix, 'stale-session-cleanup'));
    }
  });
});
