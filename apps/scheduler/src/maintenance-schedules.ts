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

/**
 * What runs, and how often (from CLEANUP_INTERVAL, REVIVAL_INTERVAL and OUTBOX_RECONCILE_INTERVAL):
 * every task of the queue contract's MAINTENANCE_TASKS, and no other (the record must name each).
 */
export function maintenanceSchedules(
  config: Pick<SchedulerConfig, 'cleanupIntervalMs' | 'revivalIntervalMs' | 'outboxReconcileIntervalMs'>,
): MaintenanceSchedule[] {
  const everyMs: Record<MaintenanceTask, number> = {
    'stale-session-cleanup': config.cleanupIntervalMs,
    'revive-failed-sessions': config.revivalIntervalMs,
    'outbox-reconciliation': config.outboxReconcileIntervalMs,
  };
  return MAINTENANCE_TASKS.map((task) => ({ task, everyMs: everyMs[task] }));
}
