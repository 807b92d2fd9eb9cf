import { type MaintenanceJob, maintenanceJob, redisKeys } from '@wagw/queue';
import { UnrecoverableError } from 'bullmq';
import {
  type CleanupStaleSessionsDeps,
  type CleanupStaleSessionsReport,
  cleanupStaleSessions,
} from './cleanup-stale-sessions.task.js';
import {
  type OutboxReconciliationDeps,
  type OutboxReconciliationReport,
  reconcileOutbox,
} from './outbox-reconciliation.task.js';
import {
  type ReviveFailedSessionsDeps,
  type ReviveFailedSessionsReport,
  reviveFailedSessions,
} from './revive-failed-sessions.task.js';
import { runLockKey, withRunLock } from './run-lock.js';

/**
 * The `maintenanceJob` tasks this version carries out. The schema also names tasks of later
 * features (retention, health-snapshot); they are deliberately absent here,
 * so a job for one of them fails loudly instead of "succeeding" without doing anything.
 */
export const SUPPORTED_MAINTENANCE_TASKS = [
  'stale-session-cleanup',
  'revive-failed-sessions',
  'outbox-reconciliation',
] as const satisfies readonly MaintenanceJob['task'][];
export type SupportedMaintenanceTask = (typeof SUPPORTED_MAINTENANCE_TASKS)[number];

export function isSupportedMaintenanceTask(task: string): task is SupportedMaintenanceTask {
  return (SUPPORTED_MAINTENANCE_TASKS as readonly string[]).includes(task);
}

export interface MaintenanceDeps {
  repos: CleanupStaleSessionsDeps['repos'] &
    ReviveFailedSessionsDeps['repos'] &
    OutboxReconciliationDeps['repos'];
  leases: CleanupStaleSessionsDeps['leases'];
  /** Our own Redis commands (run lock, nudge, QR keys); a fail-fast connection is best. */
  redis: CleanupStaleSessionsDeps['redis'];
  /** QUEUE_PREFIX. */
  prefix: string;
  /** FAILED_REVIVAL_COOLDOWN in ms. */
  revivalCooldownMs: number;
  /** STALE_SESSION_AGE in ms. */
  staleSessionAgeMs: number;
  /** OUTBOX_GRACE_MS: a `queued` message younger than this is not reconciled yet. Default: 30000. */
  outboxGraceMs?: number;
  /** Run-lock TTL in ms (renewed while a run lasts). Default: 60000 (`DEFAULT_RUN_LOCK_TTL_MS`). */
  lockTtlMs?: number;
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
}

export type MaintenanceTaskReport =
  | CleanupStaleSessionsReport
  | ReviveFailedSessionsReport
  | OutboxReconciliationReport;

/** Default OUTBOX_GRACE_MS. */
export const DEFAULT_OUTBOX_GRACE_MS = 30_000;

export type MaintenanceRunReport =
  | { task: SupportedMaintenanceTask; skipped: 'already running' }
  | {
      task: SupportedMaintenanceTask;
      /** ISO times taken inside the lock: the runs of one task never overlap. */
      startedAt: string;
      finishedAt: string;
      durationMs: number;
      /** Whether workers were told to reconcile at once ('*' on the reconcile channel). */
      nudged: boolean;
      result: MaintenanceTaskReport;
    };

function runTask(task: SupportedMaintenanceTask, deps: MaintenanceDeps): Promise<MaintenanceTaskReport> {
  switch (task) {
    case 'stale-session-cleanup':
      return cleanupStaleSessions({ ...deps, staleAgeMs: deps.staleSessionAgeMs });
    case 'revive-failed-sessions':
      return reviveFailedSessions({ ...deps, cooldownMs: deps.revivalCooldownMs });
    case 'outbox-reconciliation':
      return reconcileOutbox({ ...deps, graceMs: deps.outboxGraceMs ?? DEFAULT_OUTBOX_GRACE_MS });
  }
}

/**
 * Runs one task under its run lock and nudges the workers when it changed anything, so a revived
 * or reset session is claimed now rather than at the workers' next reconcile pass. A run that
 * finds the lock taken returns `{ skipped: 'already running' }`. An unknown task throws
 * `UnrecoverableError` (BullMQ does not retry it).
 */
export async function runMaintenanceTask(task: string, deps: MaintenanceDeps): Promise<MaintenanceRunReport> {
  if (!isSupportedMaintenanceTask(task)) {
    throw new UnrecoverableError(
      `maintenance task "${task}" is not supported by this version (supported: ${SUPPORTED_MAINTENANCE_TASKS.join(', ')})`,
    );
  }
  const locked = await withRunLock(
    { redis: deps.redis, key: runLockKey(deps.prefix, task), ttlMs: deps.lockTtlMs },
    async () => {
      const started = new Date();
      const result = await runTask(task, deps);
      const nudged = result.changed > 0 && (await nudgeWorkers(deps));
      const finished = new Date();
      return {
        task,
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - started.getTime(),
        nudged,
        result,
      };
    },
  );
  return locked.acquired ? locked.value : { task, skipped: 'already running' };
}

/**
 * Best effort: the change is already in the database, and workers reconcile periodically anyway,
 * so a failed publish must not fail (and so repeat) the run.
 */
async function nudgeWorkers(deps: Pick<MaintenanceDeps, 'redis' | 'prefix'>): Promise<boolean> {
  return deps.redis
    .publish(redisKeys(deps.prefix).reconcileChannel, '*')
    .then(() => true)
    .catch(() => false);
}

/**
 * The maintenance queue's processor: validates the payload (a malformed one is permanent, so
 * `UnrecoverableError`) and runs the task.
 */
export async function processMaintenanceJob(
  data: unknown,
  deps: MaintenanceDeps,
): Promise<MaintenanceRunReport> {
  const parsed = maintenanceJob.safeParse(data);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid maintenance job payload: ${parsed.error.message}`);
  }
  return runMaintenanceTask(parsed.data.task, deps);
}
