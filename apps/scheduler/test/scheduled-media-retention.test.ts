import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { loadSchedulerConfig, type SchedulerConfig } from '@wagw/config';
import { createLogger } from '@wagw/logger';
import { type MaintenanceRunReport, type MediaRetentionReport, readMediaInventory } from '@wagw/maintenance';
import { openMediaStore } from '@wagw/media';
import { createProducerConnection, QUEUES, waitUntilReady } from '@wagw/queue';
import {
  createTempDir,
  redisUrl,
  s3MediaEnv,
  startLocalS3,
  type TempSqlite,
  tempSqliteUrl,
  uniquePrefix,
} from '@wagw/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startScheduler } from '../src/index.js';

const INTERVAL_MS = 300;
const redis = createProducerConnection(redisUrl());
const dir = createTempDir('wagw-scheduler-retention-');
const prefixes: string[] = [];
let tmp: TempSqlite;

beforeAll(async () => {
  await waitUntilReady(redis);
  tmp = tempSqliteUrl();
});

afterAll(async () => {
  for (const prefix of prefixes) {
    const queue = new Queue(QUEUES.maintenance, { connection: redis, prefix });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  tmp?.cleanup();
  dir.cleanup();
  redis.disconnect();
});

/** The scheduler's config from its environment, every interval at INTERVAL_MS (below the env minimum). */
function configFor(prefix: string, env: Record<string, string>): SchedulerConfig {
  const config = loadSchedulerConfig({
    DATABASE_URL: tmp.url,
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    HEARTBEAT_INTERVAL: '500',
    ...env,
  });
  return {
    ...config,
    cleanupIntervalMs: INTERVAL_MS,
    revivalIntervalMs: INTERVAL_MS,
    outboxReconcileIntervalMs: INTERVAL_MS,
    media: { ...config.media, retention: { ...config.media.retention, intervalMs: INTERVAL_MS } },
  };
}

/** Starts a scheduler that records its reports and its log lines. */
async function start(prefix: string, env: Record<string, string>) {
  prefixes.push(prefix);
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = createLogger({ name: 'scheduler-retention-test', level: 'info', destination });
  const reports: MaintenanceRunReport[] = [];
  const scheduler = await startScheduler(configFor(prefix, env), logger, {
    onReport: (report) => reports.push(report),
  });
  const retentionRuns = () =>
    reports.flatMap((r) =>
      r.task === 'media-retention' && 'result' in r ? [r.result as MediaRetentionReport] : [],
    );
  const schedulerIds = async () => {
    const queue = new Queue(QUEUES.maintenance, { connection: redis, prefix });
    try {
      return (await queue.getJobSchedulers()).map((s) => s.key).sort();
    } finally {
      await queue.close();
    }
  };
  return { scheduler, reports, retentionRuns, lines, schedulerIds };
}

const put = (store: ReturnType<typeof openMediaStore>, text: string) =>
  store.put(Readable.from([Buffer.from(text)]), { maxBytes: 1024, mimetype: 'text/plain' });

describe('media retention in the scheduler', () => {
  it('runs every MEDIA_RETENTION_INTERVAL on the configured fs store and counts what it holds', async () => {
    const mediaDir = join(dir.path, 'fs-media');
    const stored = await put(openMediaStore({ kind: 'fs', dir: mediaDir }), 'kept: stored today');
    const prefix = uniquePrefix('scheduler-retention-fs');
    const s = await start(prefix, { MEDIA_DIR: mediaDir });
    try {
      expect(await s.schedulerIds()).toContain('media-retention');
      await vi.waitFor(() => expect(s.retentionRuns().length).toBeGreaterThanOrEqual(2), {
        timeout: 15_000,
        interval: 50,
      });
      // Stored today, so nothing is old: the file stays, and the walk counted it.
      expect(s.retentionRuns()[0]).toMatchObject({
        retentionDays: 30,
        listed: 1,
        deleted: 0,
        stoppedBy: 'end',
      });
      expect(await readMediaInventory(redis, prefix)).toMatchObject({
        backend: 'fs',
        objects: 1,
        bytes: stored.size,
      });
    } finally {
      await s.scheduler.close();
    }
  });

  it('runs against the S3 store MEDIA_STORE=s3 names', async () => {
    const s3 = await startLocalS3('wagw-scheduler-retention');
    const prefix = uniquePrefix('scheduler-retention-s3');
    try {
      const env = s3MediaEnv(s3);
      const store = openMediaStore(configFor(prefix, env).media.store);
      const stored = await put(store, 'kept: in the bucket');
      const s = await start(prefix, env);
      try {
        await vi.waitFor(() => expect(s.retentionRuns().length).toBeGreaterThanOrEqual(1), {
          timeout: 15_000,
          interval: 50,
        });
        expect(s.retentionRuns()[0]).toMatchObject({ listed: 1, deleted: 0, stoppedBy: 'end' });
        expect(await readMediaInventory(redis, prefix)).toMatchObject({
          backend: 's3',
          objects: 1,
          bytes: stored.size,
        });
      } finally {
        await s.scheduler.close();
      }
    } finally {
      await s3.stop();
    }
  });

  it('with MEDIA_RETENTION_DAYS=0 schedules nothing, and removes the schedule an earlier start left', async () => {
    const prefix = uniquePrefix('scheduler-retention-off');
    const mediaDir = join(dir.path, 'off-media');
    const before = await start(prefix, { MEDIA_DIR: mediaDir });
    expect(await before.schedulerIds()).toContain('media-retention');
    await before.scheduler.close();

    const s = await start(prefix, { MEDIA_DIR: mediaDir, MEDIA_RETENTION_DAYS: '0' });
    try {
      expect(await s.schedulerIds()).toEqual([
        'dead-letter-retention',
        'event-outbox-relay',
        'idempotency-key-cleanup',
        'outbox-reconciliation',
        'revive-failed-sessions',
        'stale-session-cleanup',
      ]);
      // The other tasks keep running; retention never does.
      await vi.waitFor(
        () =>
          expect(s.reports.filter((r) => r.task === 'stale-session-cleanup').length).toBeGreaterThanOrEqual(
            3,
          ),
        {
          timeout: 15_000,
          interval: 50,
        },
      );
      // At most the one job the earlier schedule had already produced runs, and it does nothing.
      const leftovers = s.retentionRuns();
      expect(leftovers.length).toBeLessThanOrEqual(1);
      for (const run of leftovers)
        expect(run).toMatchObject({ stoppedBy: 'disabled', listed: 0, deleted: 0 });
    } finally {
      await s.scheduler.close();
    }
  });

  it('a broken store fails the run with the error logged; the scheduler goes on', async () => {
    const notADirectory = join(dir.path, 'a-file');
    writeFileSync(notADirectory, 'not a directory');
    const s = await start(uniquePrefix('scheduler-retention-broken'), { MEDIA_DIR: notADirectory });
    try {
      await vi.waitFor(
        () => {
          const failed = s.lines.filter(
            (l) => l.msg === 'maintenance run failed' && l.task === 'media-retention',
          );
          expect(failed.length).toBeGreaterThanOrEqual(2);
          expect(failed[0]?.err).toMatchObject({
            type: 'MediaRetentionError',
            message: 'media retention stopped: listing the store failed',
            report: { stoppedBy: 'error', deleted: 0 },
          });
        },
        { timeout: 20_000, interval: 50 },
      );
      const cleanups = () => s.reports.filter((r) => r.task === 'stale-session-cleanup').length;
      const seen = cleanups();
      await vi.waitFor(() => expect(cleanups()).toBeGreaterThan(seen), { timeout: 15_000, interval: 50 });
    } finally {
      await s.scheduler.close();
    }
  });
});
