import { loadSchedulerConfig, type SchedulerConfig } from '@wagw/config';
import { createDatabase, type Database } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { type MaintenanceRunReport, REVIVAL_REASON, runLockKey } from '@wagw/maintenance';
import {
  createProducerConnection,
  listHeartbeats,
  MAINTENANCE_TASKS,
  QUEUES,
  waitUntilReady,
} from '@wagw/queue';
import { createTempDir, redisUrl, type TempSqlite, tempSqliteUrl, uniquePrefix } from '@wagw/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Scheduler, startScheduler } from '../src/index.js';

const INTERVAL_MS = 300;
/** How long the third party in the test holds the cleanup lock. */
const LOCK_MS = 800;
const prefix = uniquePrefix('scheduler');
const redis = createProducerConnection(redisUrl());
const logger = createLogger({ name: 'scheduler-test', level: 'silent' });
let tmp: TempSqlite;
const mediaDir = createTempDir('wagw-scheduler-media-');
let db: Database;
let queue: Queue;

function replicaConfig(instanceId: string): SchedulerConfig {
  const config = loadSchedulerConfig({
    DATABASE_URL: tmp.url,
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    HEARTBEAT_INTERVAL: '500',
    INSTANCE_ID: instanceId,
    MEDIA_DIR: mediaDir.path,
  });
  // Below the env minimum of 1 s on purpose: many runs in a short test. A zero cool-down revives
  // a failed session on the next run.
  return {
    ...config,
    cleanupIntervalMs: INTERVAL_MS,
    revivalIntervalMs: INTERVAL_MS,
    outboxReconcileIntervalMs: INTERVAL_MS,
    recordRetentionIntervalMs: INTERVAL_MS,
    eventOutboxIntervalMs: INTERVAL_MS,
    revivalCooldownMs: 0,
    media: { ...config.media, retention: { ...config.media.retention, intervalMs: INTERVAL_MS } },
  };
}

beforeAll(async () => {
  await waitUntilReady(redis);
  tmp = tempSqliteUrl();
  db = await createDatabase({ url: tmp.url });
  await db.migrate();
  queue = new Queue(QUEUES.maintenance, { connection: redis, prefix });
  queue.on('error', () => {});
});

afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await db?.close();
  tmp?.cleanup();
  mediaDir.cleanup();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

type Run = Extract<MaintenanceRunReport, { startedAt: string }> & { replica: string };

describe('two scheduler replicas on one prefix', () => {
  it('register one scheduler per task, never overlap a task, and shut down cleanly', async () => {
    const failed = await db.repos.sessions.create({ name: 'revive-me', desiredState: 'running' });
    await db.repos.sessions.transitionStatus(failed.id, { to: 'failed', reason: 'test setup' });

    const runs: Run[] = [];
    const skipped: Array<{ replica: string; task: string }> = [];
    const start = (replica: string) =>
      startScheduler(replicaConfig(replica), logger, {
        onReport: (report) =>
          'skipped' in report
            ? skipped.push({ replica, task: report.task })
            : runs.push({ ...report, replica }),
      });
    const runsOf = (task: string) => runs.filter((run) => run.task === task);
    const skippedCleanups = () => skipped.filter((s) => s.task === 'stale-session-cleanup').length;
    const replicas: Scheduler[] = [];
    try {
      replicas.push(await start('scheduler-a'), await start('scheduler-b'));

      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual([
        'dead-letter-retention',
        'event-outbox-relay',
        'idempotency-key-cleanup',
        'media-retention',
        'outbox-reconciliation',
        'revive-failed-sessions',
        'stale-session-cleanup',
      ]);
      expect(schedulers.every((s) => s.every === INTERVAL_MS)).toBe(true);

      // Both tasks have run a few times before anything gets in their way.
      await vi.waitFor(
        () => {
          for (const task of ['stale-session-cleanup', 'revive-failed-sessions'])
            expect(runsOf(task).length, `${task} runs`).toBeGreaterThanOrEqual(2);
        },
        { timeout: 15_000, interval: 50 },
      );

      // A third party (think: a replica in a long run) holds the cleanup lock for a while: runs
      // due meanwhile must skip, not wait or overlap; once it expires, cleanup runs again.
      const skippedBefore = skippedCleanups();
      const lockedAt = Date.now();
      await redis.set(runLockKey(prefix, 'stale-session-cleanup'), 'long-run', 'PX', LOCK_MS);
      await vi.waitFor(
        () => {
          expect(skippedCleanups(), 'cleanup runs skipped while locked').toBeGreaterThan(skippedBefore);
          const resumed = runsOf('stale-session-cleanup').filter(
            (run) => Date.parse(run.startedAt) >= lockedAt + LOCK_MS,
          );
          expect(resumed.length, 'cleanup runs after the lock expired').toBeGreaterThanOrEqual(1);
        },
        { timeout: 15_000, interval: 50 },
      );
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }

    for (const task of ['stale-session-cleanup', 'revive-failed-sessions']) {
      const ofTask = runsOf(task).sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
      expect(ofTask.length, `${task} runs`).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < ofTask.length; i++) {
        expect(Date.parse(ofTask[i]!.startedAt)).toBeGreaterThanOrEqual(
          Date.parse(ofTask[i - 1]!.finishedAt),
        );
      }
    }
    expect(skippedCleanups()).toBeGreaterThanOrEqual(1);

    // Revived exactly once, although both replicas ran revival several times.
    expect(await db.repos.sessions.getById(failed.id)).toMatchObject({
      status: 'starting',
      statusReason: REVIVAL_REASON,
    });
    const events = await db.repos.sessionEvents.listBySession(failed.id);
    expect(events.filter((e) => e.reason === REVIVAL_REASON)).toHaveLength(1);

    // Both replicas stopped their heartbeat; a restart keeps one scheduler per task.
    expect(await listHeartbeats(redis, prefix, 'scheduler')).toEqual([]);
    const again = await start('scheduler-c');
    await again.close();
    expect(await queue.getJobSchedulersCount()).toBe(MAINTENANCE_TASKS.length);
  });
});
