import type { SchedulerConfig } from '@wagw/config';
import { createDatabase } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { type MaintenanceDeps, type MaintenanceRunReport, processMaintenanceJob } from '@wagw/maintenance';
import { openMediaStore } from '@wagw/media';
import {
  createConsumerConnection,
  createLeaseStore,
  createProducerConnection,
  DEFAULT_JOB_OPTIONS,
  type MaintenanceJob,
  maintenanceJob,
  QUEUES,
  startHeartbeat,
  waitUntilReady,
} from '@wagw/queue';
import { Queue, Worker } from 'bullmq';
import { disabledTasks, maintenanceSchedules } from './maintenance-schedules.js';

export interface SchedulerOptions {
  /** Called with each run's report after it is logged (metrics, tests). Default: none. */
  onReport?: (report: MaintenanceRunReport) => void;
}

/** Scheduled runs retry a transient failure briefly; the next interval runs the task again anyway. */
const SCHEDULED_JOB_OPTIONS = { ...DEFAULT_JOB_OPTIONS, attempts: 3 };

/**
 * Maintenance jobs one replica runs at once. Two, so that a long media-retention walk (minutes on a
 * large store) never holds back outbox reconciliation or session revival; two runs of one task
 * still never overlap, because each run holds its task's run lock.
 */
const MAINTENANCE_CONCURRENCY = 2;

/**
 * One scheduler replica: registers the maintenance job schedulers (idempotent, so every replica
 * may do it) and consumes the maintenance queue. Any number of replicas can run; the tasks' run
 * locks keep two runs of the same task from overlapping, on one replica or across several.
 * main.ts adds config, logging and signals.
 */
export async function startScheduler(
  config: SchedulerConfig,
  logger: Logger,
  options: SchedulerOptions = {},
) {
  const db = await createDatabase(config.database);
  await db.migrate();
  const { prefix } = config.redis;
  // Our own commands (locks, leases, nudges, heartbeat) fail fast, so a run fails and is retried
  // instead of hanging; BullMQ's connection waits for Redis to come back.
  const redis = createProducerConnection(config.redis.url);
  const consumer = createConsumerConnection(config.redis.url);
  for (const conn of [redis, consumer]) conn.on('error', (err) => logger.warn({ err }, 'redis error'));
  await waitUntilReady(redis);

  const heartbeat = startHeartbeat({
    redis,
    prefix,
    role: 'scheduler',
    instanceId: config.instanceId,
    intervalMs: config.heartbeatIntervalMs,
    collect: () => ({
      cleanupIntervalMs: config.cleanupIntervalMs,
      revivalIntervalMs: config.revivalIntervalMs,
    }),
    onError: (err) => logger.warn({ err }, 'heartbeat failed'),
  });
  await heartbeat.ready;

  const queue = new Queue<MaintenanceJob>(QUEUES.maintenance, { connection: consumer, prefix });
  queue.on('error', (err) => logger.warn({ err }, 'maintenance queue error'));
  async function upsertSchedules(): Promise<void> {
    for (const { task, everyMs } of maintenanceSchedules(config)) {
      // Same id on every replica and restart: an upsert replaces the interval, never adds a schedule.
      await queue.upsertJobScheduler(
        task,
        { every: everyMs },
        {
          name: task,
          data: maintenanceJob.parse({ task, trigger: 'schedule' }),
          opts: SCHEDULED_JOB_OPTIONS,
        },
      );
    }
    // A task turned off (MEDIA_RETENTION_DAYS=0, DEAD_LETTER_RETENTION_DAYS=0) must not keep running from a schedule an earlier
    // start left in Redis; removing a scheduler that does not exist is a no-op.
    for (const task of disabledTasks(config)) await queue.removeJobScheduler(task);
  }
  await upsertSchedules();
  // The schedules live in Redis. If Redis loses its data (FLUSHALL, a restart without persistence)
  // they are gone, and with them the outbox reconciliation that would recover the lost jobs; so
  // they are re-asserted on every heartbeat (idempotent, a few cheap commands).
  const reassert = setInterval(
    () => void upsertSchedules().catch((err) => logger.warn({ err }, 're-asserting job schedulers failed')),
    config.heartbeatIntervalMs,
  );

  const deps: MaintenanceDeps = {
    repos: db.repos,
    leases: createLeaseStore({ redis, prefix, ttlMs: 0 }), // lookups only: the TTL is never used
    redis,
    prefix,
    revivalCooldownMs: config.revivalCooldownMs,
    staleSessionAgeMs: config.staleSessionAgeMs,
    outboxGraceMs: config.outboxGraceMs,
    eventOutboxGraceMs: config.eventOutboxGraceMs,
    deadLetterRetentionDays: config.deadLetterRetentionDays,
    lockTtlMs: config.maintenanceLockTtlMs,
    media: {
      // The same store as the API and the workers (MEDIA_STORE and its settings).
      store: openMediaStore(config.media.store),
      backend: config.media.store.kind,
      retentionDays: config.media.retention.days,
    },
  };
  const worker = new Worker<MaintenanceJob>(
    QUEUES.maintenance,
    async (job) => {
      const report = await processMaintenanceJob(job.data, deps);
      logger.info({ jobId: job.id, trigger: job.data.trigger, report }, 'maintenance run finished');
      options.onReport?.(report);
      return report;
    },
    { connection: consumer, prefix, concurrency: MAINTENANCE_CONCURRENCY },
  );
  worker.on('error', (err) => logger.warn({ err }, 'maintenance worker error'));
  worker.on('failed', (job, err) =>
    logger.error({ err, jobId: job?.id, task: job?.data.task }, 'maintenance run failed'),
  );

  return {
    /** Graceful: finish the current run, then close the queue, heartbeat, database and Redis. */
    async close(): Promise<void> {
      clearInterval(reassert);
      await worker.close();
      await queue.close();
      await heartbeat.stop();
      await db.close();
      await Promise.all([redis, consumer].map((conn) => conn.quit().catch(() => conn.disconnect())));
    },
  };
}

export type Scheduler = Awaited<ReturnType<typeof startScheduler>>;
