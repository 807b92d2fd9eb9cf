import type { SchedulerConfig } from '@wagw/config';
import { MAINTENANCE_TASKS, type MaintenanceTask } from '@wagw/queue';

export interface MaintenanceSchedule {
  /**
   * Also the BullMQ job scheduler id. Every replica upserts the same ids, so N replicas still
   * mean one schedule per task. Never rename one: the old scheduler would stay behind in Redis
   * and keep producing jobs.
   */
  task: MaintenanceTask;
  everyMs: number;
}

type ScheduleConfig = Pick<
  SchedulerConfig,
  | 'cleanupIntervalMs'
  | 'revivalIntervalMs'
  | 'outboxReconcileIntervalMs'
  | 'deadLetterRetentionDays'
  | 'recordRetentionIntervalMs'
  | 'eventOutboxIntervalMs'
> & { media: Pick<SchedulerConfig['media'], 'retention'> };

/**
 * What runs, and how often (from CLEANUP_INTERVAL, REVIVAL_INTERVAL, OUTBOX_RECONCILE_INTERVAL,
 * MEDIA_RETENTION_INTERVAL, RECORD_RETENTION_INTERVAL and EVENT_OUTBOX_INTERVAL): every task of the queue contract's
 * MAINTENANCE_TASKS (the record must name each), except media-retention when MEDIA_RETENTION_DAYS
 * is 0 (keep media forever) and dead-letter-retention when DEAD_LETTER_RETENTION_DAYS is 0.
 */
export function maintenanceSchedules(config: ScheduleConfig): MaintenanceSchedule[] {
  const everyMs: Record<MaintenanceTask, number | null> = {
    'stale-session-cleanup': config.cleanupIntervalMs,
    'revive-failed-sessions': config.revivalIntervalMs,
    'outbox-reconciliation': config.outboxReconcileIntervalMs,
    'media-retention': config.media.retention.days > 0 ? config.media.retention.intervalMs : null,
    'idempotency-key-cleanup': config.recordRetentionIntervalMs,
    'dead-letter-retention': config.deadLetterRetentionDays > 0 ? config.recordRetentionIntervalMs : null,
    'event-outbox-relay': config.eventOutboxIntervalMs,
  };
  return MAINTENANCE_TASKS.flatMap((task) => {
    const every = everyMs[task];
    return every === null ? [] : [{ task, everyMs: every }];
  });
}

/** Tasks this configuration turns off; their job schedulers, left by an earlier start, are removed. */
export function disabledTasks(config: ScheduleConfig): MaintenanceTask[] {
  const scheduled = new Set(maintenanceSchedules(config).map((s) => s.task));
  return MAINTENANCE_TASKS.filter((task) => !scheduled.has(task));
}
