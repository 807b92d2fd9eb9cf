import { join } from 'node:path';
import { createDatabase, type Database } from '@wagw/db';
import { createFsMediaStore } from '@wagw/media';
import { createLeaseStore, createProducerConnection, MAINTENANCE_TASKS, waitUntilReady } from '@wagw/queue';
import { createTempDir, redisUrl, type TempSqlite, tempSqliteUrl, uniquePrefix } from '@wagw/testing';
import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MaintenanceDeps, processMaintenanceJob, runLockKey, runMaintenanceTask } from '../src/index.js';

const prefix = uniquePrefix('run-maintenance');
const redis = createProducerConnection(redisUrl());
let tmp: TempSqlite;
const mediaDir = createTempDir('wagw-run-maintenance-media-');
let db: Database;
let deps: MaintenanceDeps;

beforeAll(async () => {
  await waitUntilReady(redis);
  tmp = tempSqliteUrl();
  db = await createDatabase({ url: tmp.url });
  await db.migrate();
  deps = {
    repos: db.repos,
    leases: createLeaseStore({ redis, prefix, ttlMs: 10_000 }),
    redis,
    prefix,
    revivalCooldownMs: 60_000,
    staleSessionAgeMs: 60_000,
    media: {
      store: createFsMediaStore({ root: join(mediaDir.path, 'media') }),
      backend: 'fs',
      retentionDays: 30,
    },
  };
});

afterAll(async () => {
  await db?.close();
  tmp?.cleanup();
  mediaDir.cleanup();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('runMaintenanceTask', () => {
  it('runs each task of the queue contract and reports its timing and result', async () => {
    for (const task of MAINTENANCE_TASKS) {
      const before = Date.now();
      const report = await runMaintenanceTask(task, deps);
      const after = Date.now();
      expect(report).toMatchObject({ task, nudged: false, result: { changed: 0 } });
      if (!('startedAt' in report)) throw new Error(`${task} was skipped`);
      // The times are the run's own: inside the call, in order, and durationMs is their difference.
      const started = Date.parse(report.startedAt);
      const finished = Date.parse(report.finishedAt);
      expect(started).toBeGreaterThanOrEqual(before);
      expect(finished).toBeGreaterThanOrEqual(started);
      expect(finished).toBeLessThanOrEqual(after);
      expect(report.durationMs).toBe(finished - started);
    }
  });

  it('skips a run while another holds the task lock', async () => {
    const key = runLockKey(prefix, 'revive-failed-sessions');
    await redis.set(key, 'another-replica', 'PX', 5000);
    try {
      expect(await runMaintenanceTask('revive-failed-sessions', deps)).toEqual({
        task: 'revive-failed-sessions',
        skipped: 'already running',
      });
      // The lock is per task: the other task still runs.
      expect(await runMaintenanceTask('stale-session-cleanup', deps)).toHaveProperty('result');
    } finally {
      await redis.del(key);
    }
  });

  it('fails media-retention as unrecoverable in a process without a media store, lock or not', async () => {
    const { media: _media, ...withoutMedia } = deps;
    const key = runLockKey(prefix, 'media-retention');
    // Checked before the lock: even while another replica holds it, the answer is the error (not
    // "skipped"), so a misconfigured process shows up at once and never holds the lock itself.
    await redis.set(key, 'another-replica', 'PX', 5000);
    try {
      const run = runMaintenanceTask('media-retention', withoutMedia);
      await expect(run).rejects.toBeInstanceOf(UnrecoverableError);
      await expect(run).rejects.toThrow('maintenance task "media-retention" needs a media store');
      expect(await redis.get(key)).toBe('another-replica');
    } finally {
      await redis.del(key);
    }
  });

  it.each(['retention', 'health-snapshot', 'nonsense'])(
    'fails %s as unrecoverable: no such task',
    async (task) => {
      const run = runMaintenanceTask(task, deps);
      await expect(run).rejects.toBeInstanceOf(UnrecoverableError);
      await expect(run).rejects.toThrow(`maintenance task "${task}" does not exist`);
    },
  );
});

describe('processMaintenanceJob', () => {
  it('validates the payload and dispatches', async () => {
    expect(await processMaintenanceJob({ task: 'revive-failed-sessions' }, deps)).toHaveProperty(
      'task',
      'revive-failed-sessions',
    );
  });

  it.each([{ task: 42 }, { task: 'retention' }, { task: 'health-snapshot' }])(
    'fails the malformed payload %j as unrecoverable',
    async (payload) => {
      const run = processMaintenanceJob(payload, deps);
      await expect(run).rejects.toBeInstanceOf(UnrecoverableError);
      await expect(run).rejects.toThrow('invalid maintenance job payload');
    },
  );
});
