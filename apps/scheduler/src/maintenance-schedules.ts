import type { SchedulerConfig } from '@wagw/config';
import type { SupportedMaintenanceTask } from '@wagw/maintenance';

export interface MaintenanceSchedule {
  /**
   * Also the BullMQ job scheduler id. Every replica upserts the same ids, so N replicas still
   * mean one schedule per task. Never rename one: the old scheduler would stay behind in Redis
   * and keep producing jobs.
   */
  task: SupportedMaintenanceTask;
  everyMs: number;
}

/** What runs, and how often (from CLEANUP_INTERVAL, REVIVAL_INTERVAL and OUTBOX_RECONCILE_INTERVAL). */
export function maintenanceSchedules(
  config: Pick<SchedulerConfig, 'cleanupIntervalMs' | 'revivalIntervalMs' | 'outboxReconcileIntervalMs'>,
): MaintenanceSchedule[] {
  return [
    { task: 'stale-session-cleanup', everyMs: config.cleanupIntervalMs },
    { task: 'revive-failed-sessions', everyMs: config.revivalIntervalMs },
    { task: 'outbox-reconciliation', everyMs: config.outboxReconcileIntervalMs },
  ];
}
