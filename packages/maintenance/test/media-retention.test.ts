import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createDatabase, type Database, type MessageStatus } from '@wagw/db';
import { createFsMediaStore, createS3MediaStore, MediaNotFoundError, type MediaStore } from '@wagw/media';
import {
  createLeaseStore,
  createProducerConnection,
  metricsKeys,
  type RedisConnection,
  readCounterHash,
  waitUntilReady,
} from '@wagw/queue';
import {
  createPgSchema,
  createTempDir,
  type LocalS3,
  redisUrl,
  startLocalS3,
  tempSqliteUrl,
  uniquePrefix,
} from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyMediaRetention,
  type MaintenanceDeps,
  MediaRetentionError,
  type MediaRetentionReport,
  readMediaInventory,
  runLockKey,
  runMaintenanceTask,
} from '../src/index.js';

const DAYS = 30;
const DAY_MS = 24 * 3600_000;

interface Dialect {
  db: Database;
  cleanup(): Promise<void>;
}

const dialects: Record<string, () => Promise<Dialect>> = {
  sqlite: async () => {
    const tmp = tempSqliteUrl();
    const db = await createDatabase({ url: tmp.url });
    const cleanup = async () => {
      await db.close();
      tmp.cleanup();
    };
    return { db, cleanup };
  },
  postgres: async () => {
    const pg = await createPgSchema();
    const db = await createDatabase({ url: pg.baseUrl, schema: pg.schema, poolMax: 4 });
    const cleanup = async () => {
      await db.close();
      await pg.drop();
    };
    return { db, cleanup };
  },
};

/**
 * A backend: a fresh, empty store per test, and how coarse its first-stored times are. s3rver
 * lists LastModified from a file's mtime in whole seconds; the filesystem store keeps milliseconds.
 */
interface Backend {
  kind: 'fs' | 's3';
  granularityMs: number;
  fresh(): MediaStore;
  /** A store of this kind that cannot be listed (a file where the directory should be, S3 down). */
  broken(): Promise<MediaStore>;
  cleanup(): Promise<void>;
}

function fsBackend(): Backend {
  const dir = createTempDir('wagw-retention-');
  let n = 0;
  return {
    kind: 'fs',
    granularityMs: 1,
    fresh: () => createFsMediaStore({ root: join(dir.path, `store-${++n}`) }),
    async broken() {
      const file = join(dir.path, 'not-a-directory');
      writeFileSync(file, 'x');
      return createFsMediaStore({ root: file });
    },
    cleanup: async () => dir.cleanup(),
  };
}

async function s3Backend(): Promise<Backend> {
  const s3: LocalS3 = await startLocalS3('wagw-retention');
  let n = 0;
  const options = (endpoint: string, prefix: string) => ({
    bucket: s3.bucket,
    endpoint,
    forcePathStyle: true,
    credentials: s3.credentials,
    prefix,
    connectTimeoutMs: 500,
  });
  return {
    kind: 's3',
    granularityMs: 1000,
    fresh: () => createS3MediaStore(options(s3.endpoint, `t${++n}/`)),
    // A port nothing listens on: every request is refused.
    broken: async () => createS3MediaStore(options('http://127.0.0.1:1', 'broken/')),
    cleanup: () => s3.stop(),
  };
}

const combinations: Array<[string, string, () => Promise<Backend>]> = [
  ['sqlite', 'fs', async () => fsBackend()],
  ['postgres', 'fs', async () => fsBackend()],
  ['sqlite', 's3', s3Backend],
  ['postgres', 's3', s3Backend],
];

describe.each(combinations)('media retention (%s, %s store)', (dialect, _kind, openBackend) => {
  const basePrefix = uniquePrefix(`retention-${dialect}-${_kind}`);
  let target: Dialect;
  let backend: Backend;
  let redis: RedisConnection;
  let sessionId: string;
  let tests = 0;

  beforeAll(async () => {
    target = await dialects[dialect]!();
    await target.db.migrate();
    backend = await openBackend();
    redis = createProducerConnection(redisUrl());
    await waitUntilReady(redis);
    sessionId = (await target.db.repos.sessions.create({ name: 'retention' })).id;
  });

  afterAll(async () => {
    await backend?.cleanup();
    await target?.cleanup();
    if (!redis) return;
    const left = await redis.keys(`${basePrefix}:*`);
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
  });

  /** A store, a prefix and the deps of one test: nothing is shared with another test. */
  function setup() {
    const store = backend.fresh();
    const prefix = `${basePrefix}:t${++tests}`;
    const deps = (media: Partial<MaintenanceDeps['media']> = {}): MaintenanceDeps => ({
      repos: target.db.repos,
      leases: createLeaseStore({ redis, prefix, ttlMs: 10_000 }),
      redis,
      prefix,
      revivalCooldownMs: 60_000,
      staleSessionAgeMs: 60_000,
      media: { store, backend: backend.kind, retentionDays: DAYS, ...media },
    });
    return { store, prefix, deps };
  }

  // Random bytes: each put is a new object (the store is content-addressed).
  const put = (store: MediaStore, size = 100) =>
    store.put(Readable.from([randomBytes(size)]), {
      maxBytes: 1 << 20,
      mimetype: 'application/octet-stream',
    });

  /** Waits until the store stamps anything new later than what it has stored so far. */
  async function passStoreClock(): Promise<void> {
    const granule = (ms: number) => Math.floor(ms / backend.granularityMs);
    const last = Date.now();
    while (granule(Date.now()) <= granule(last)) await new Promise((r) => setTimeout(r, 5));
  }

  /** A clock at which everything first stored before `newest`'s listed time is past retention. */
  async function clockOldBefore(store: MediaStore, newest: string[]): Promise<() => Date> {
    const listed = new Map<string, Date>();
    for await (const item of store.list()) listed.set(item.id, item.createdAt);
    const cutoff = Math.min(...newest.map((id) => listed.get(id)?.getTime() ?? Number.NaN));
    return () => new Date(cutoff + DAYS * DAY_MS);
  }

  const useIn = (mediaId: string, status: MessageStatus) =>
    target.db.repos.messages.insert({
      sessionId,
      direction: 'outbound',
      remoteJid: '15550001111@s.whatsapp.net',
      type: 'image',
      payload: { media: { id: mediaId } },
      mediaId,
      status,
    });

  const exists = (store: MediaStore, id: string) =>
    store.stat(id).then(
      () => true,
      (err) => (err instanceof MediaNotFoundError ? false : Promise.reject(err)),
    );

  async function run(deps: MaintenanceDeps): Promise<MediaRetentionReport> {
    const report = await runMaintenanceTask('media-retention', deps);
    if (!('result' in report)) throw new Error('media-retention was skipped');
    expect(report.nudged).toBe(false);
    return report.result as MediaRetentionReport;
  }

  it('deletes old unused media, keeps old media a waiting or recent message uses, and keeps new media', async () => {
    const { store, prefix, deps } = setup();
    const unused = await put(store, 100);
    const queued = await put(store, 200);
    const sending = await put(store, 300);
    const sentAlready = await put(store, 400);
    const reused = await put(store, 50);
    await useIn(queued.id, 'queued');
    await useIn(sending.id, 'sending');
    await useIn(sentAlready.id, 'sent');
    await passStoreClock();
    const fresh = await put(store, 500);
    // Old bytes that a message of the retention period uses (sent again, received again) stay.
    await useIn(reused.id, 'sent');
    const now = await clockOldBefore(store, [fresh.id]);

    const report = await run({ ...deps(), now });
    expect(report).toMatchObject({
      listed: 6,
      candidates: 5,
      deleted: 2,
      deletedBytes: 100 + 400,
      keptInUse: 3,
      failed: 0,
      stoppedBy: 'end',
      inventory: { objects: 4, bytes: 50 + 200 + 300 + 500 },
      changed: 2,
    });
    expect(report.sampleDeletedIds.sort()).toEqual([unused.id, sentAlready.id].sort());
    expect(await exists(store, unused.id)).toBe(false);
    expect(await exists(store, sentAlready.id)).toBe(false);
    for (const kept of [queued, sending, reused, fresh]) expect(await exists(store, kept.id)).toBe(true);

    expect(await readCounterHash(redis, metricsKeys(prefix).media)).toEqual({
      'deleted:count': 2,
      'deleted:bytes': 500,
    });
    expect(await readMediaInventory(redis, prefix)).toMatchObject({
      backend: backend.kind,
      objects: 4,
      bytes: 1050,
    });

    // Once nothing waits for it any more, the next run deletes it.
    await target.db.repos.messages.cancelQueued({ ids: [(await messageUsing(queued.id))!] });
    const next = await run({ ...deps(), now });
    expect(next).toMatchObject({ deleted: 1, deletedBytes: 200, keptInUse: 2, inventory: { objects: 3 } });
    expect(await exists(store, queued.id)).toBe(false);
  });

  async function messageUsing(mediaId: string): Promise<string | undefined> {
    const page = await target.db.repos.messages.listBySession({ sessionId, status: 'queued', limit: 1000 });
    return page.items.find((m) => m.mediaId === mediaId)?.id;
  }

  it('keeps what was stored within MEDIA_RETENTION_DAYS of the real clock', async () => {
    const { store, deps } = setup();
    const a = await put(store);
    const report = await run(deps());
    expect(report).toMatchObject({ listed: 1, candidates: 0, deleted: 0, stoppedBy: 'end' });
    expect(await exists(store, a.id)).toBe(true);
  });

  it('deletes nothing with MEDIA_RETENTION_DAYS=0, whatever the clock says', async () => {
    const { store, deps } = setup();
    const a = await put(store);
    const report = await run({ ...deps({ retentionDays: 0 }), now: () => new Date(Date.now() + 1e12) });
    expect(report).toMatchObject({ stoppedBy: 'disabled', cutoff: null, listed: 0, deleted: 0 });
    expect(await exists(store, a.id)).toBe(true);
  });

  it('bounds a run by its delete limit and time budget; the next run carries on', async () => {
    const { store, prefix, deps } = setup();
    const ids = [(await put(store)).id, (await put(store)).id, (await put(store)).id];
    const later = () => new Date(Date.now() + (DAYS + 1) * DAY_MS);

    const timedOut = await run({ ...deps({ timeBudgetMs: 0 }), now: later });
    expect(timedOut).toMatchObject({ stoppedBy: 'time', listed: 0, deleted: 0, inventory: null });

    const limited = await run({ ...deps({ maxDeletesPerRun: 2 }), now: later });
    expect(limited).toMatchObject({ stoppedBy: 'limit', deleted: 2, inventory: null });
    // No complete walk yet, so no inventory was written.
    expect(await readMediaInventory(redis, prefix)).toBeNull();

    const rest = await run({ ...deps({ maxDeletesPerRun: 2 }), now: later });
    expect(rest).toMatchObject({ stoppedBy: 'end', deleted: 1, inventory: { objects: 0, bytes: 0 } });
    for (const id of ids) expect(await exists(store, id)).toBe(false);
  });

  it('runs once at a time across schedulers: a held lock skips the run', async () => {
    const { store, prefix, deps } = setup();
    const a = await put(store);
    await redis.set(runLockKey(prefix, 'media-retention'), 'other-replica', 'PX', 5000);
    const report = await runMaintenanceTask('media-retention', {
      ...deps(),
      now: () => new Date(Date.now() + (DAYS + 1) * DAY_MS),
    });
    expect(report).toEqual({ task: 'media-retention', skipped: 'already running' });
    expect(await exists(store, a.id)).toBe(true);
  });

  it('a store that cannot be listed ends the run with an error, not a crash', async () => {
    const { deps } = setup();
    const attempt = applyMediaRetention({ ...deps(), ...deps().media!, store: await backend.broken() });
    await expect(attempt).rejects.toBeInstanceOf(MediaRetentionError);
    await expect(attempt).rejects.toMatchObject({
      message: 'media retention stopped: listing the store failed',
      report: { stoppedBy: 'error', deleted: 0 },
    });
  });

  it('a database error stops the run before anything unsure is deleted', async () => {
    const { store, deps } = setup();
    const a = await put(store);
    const broken = await dialects[dialect]!();
    await broken.cleanup(); // closed (and, on PostgreSQL, its schema dropped): every query fails
    const attempt = applyMediaRetention({
      ...deps(),
      ...deps().media!,
      repos: broken.db.repos,
      now: () => new Date(Date.now() + (DAYS + 1) * DAY_MS),
    });
    await expect(attempt).rejects.toMatchObject({
      name: 'MediaRetentionError',
      message: `media retention stopped: could not tell whether a message uses ${a.id}`,
      report: { stoppedBy: 'error', candidates: 1, deleted: 0 },
    });
    expect(await exists(store, a.id)).toBe(true);
  });

  it('a failing delete is counted and skipped; the walk goes on', async () => {
    const { store, deps } = setup();
    const stuck = await put(store);
    const other = await put(store);
    const flaky: MediaStore = {
      ...store,
      delete: (id) =>
        id === stuck.id ? Promise.reject(new Error('EACCES: permission denied')) : store.delete(id),
    };
    const report = await applyMediaRetention({
      ...deps(),
      ...deps().media!,
      store: flaky,
      now: () => new Date(Date.now() + (DAYS + 1) * DAY_MS),
    });
    expect(report).toMatchObject({
      deleted: 1,
      failed: 1,
      failures: [{ id: stuck.id, error: 'EACCES: permission denied' }],
      stoppedBy: 'end',
      inventory: { objects: 1, bytes: stuck.size },
    });
    expect(await exists(store, stuck.id)).toBe(true);
    expect(await exists(store, other.id)).toBe(false);
  });

  it('stops after 20 failed deletes: the store is broken, not one file', async () => {
    const { store, deps } = setup();
    for (let i = 0; i < 21; i++) await put(store, 10);
    const readOnly: MediaStore = { ...store, delete: () => Promise.reject(new Error('EROFS: read-only')) };
    const attempt = applyMediaRetention({
      ...deps(),
      ...deps().media!,
      store: readOnly,
      now: () => new Date(Date.now() + (DAYS + 1) * DAY_MS),
    });
    await expect(attempt).rejects.toMatchObject({
      message: 'media retention stopped: 20 deletes failed, the store looks broken',
      report: { stoppedBy: 'error', listed: 20, failed: 20, deleted: 0 },
    });
    expect(((await attempt.catch((err) => err)) as MediaRetentionError).report.failures).toHaveLength(10);
  });
});
