import { MAINTENANCE_TASKS, type MaintenanceTask, maintenanceJob, redisKeys } from '@wagw/queue';
import { UnrecoverableError } from 'bullmq';
import {
  type CleanupStaleSessionsDeps,
  type CleanupStaleSessionsReport,
  cleanupStaleSessions,
} from './cleanup-stale-sessions.task.js';
import {
  type EventOutboxRelayDeps,
  type EventOutboxRelayReport,
  relayEventOutbox,
} from './event-outbox-relay.task.js';
import {
  applyMediaRetention,
  type MediaRetentionDeps,
  type MediaRetentionReport,
} from './media-retention.task.js';
import {
  type OutboxReconciliationDeps,
  type OutboxReconciliationReport,
  reconcileOutbox,
} from './outbox-reconciliation.task.js';
import {
  applyDeadLetterRetention,
  cleanupIdempotencyKeys,
  type DeadLetterRetentionDeps,
  type IdempotencyKeyCleanupDeps,
  type RecordRetentionReport,
} from './record-retention.task.js';
import {
  type ReviveFailedSessionsDeps,
  type ReviveFailedSessionsReport,
  reviveFailedSessions,
} from './revive-failed-sessions.task.js';
import { runLockKey, withRunLock } from './run-lock.js';

function isMaintenanceTask(task: string): task is MaintenanceTask {
  return (MAINTENANCE_TASKS as readonly string[]).includes(task);
}

export interface MaintenanceDeps {
  repos: CleanupStaleSessionsDeps['repos'] &
    ReviveFailedSessionsDeps['repos'] &
    OutboxReconciliationDeps['repos'] &
    MediaRetentionDeps['repos'] &
    IdempotencyKeyCleanupDeps['repos'] &
    DeadLetterRetentionDeps['repos'] &
    EventOutboxRelayDeps['repos'];
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
  /**
   * What media-retention needs: the media store and its settings. Absent (the API, which never runs
   * retention): that task fails as unrecoverable.
   */
  media?: Pick<
    MediaRetentionDeps,
    'store' | 'backend' | 'retentionDays' | 'maxDeletesPerRun' | 'timeBudgetMs'
  >;
  /** EVENT_OUTBOX_GRACE_MS: unpublished events younger than this are left to their writer. Default: 10000. */
  eventOutboxGraceMs?: number;
  /** DEAD_LETTER_RETENTION_DAYS (0 keeps dead letters). Default: 30. */
  deadLetterRetentionDays?: number;
  /** Batch size and per-run bounds of the two record-retention tasks. Defaults: see record-retention.task.ts. */
  recordRetention?: Pick<DeadLetterRetentionDeps, 'batchSize' | 'maxDeletesPerRun' | 'timeBudgetMs'>;
  /** Run-lock TTL in ms (renewed while a run lasts). Default: 60000. */
  lockTtlMs?: number;
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
}

type MaintenanceTaskReport =
  | CleanupStaleSessionsReport
  | ReviveFailedSessionsReport
  | OutboxReconciliationReport
  | MediaRetentionReport
  | RecordRetentionReport
  | EventOutboxRelayReport;

/** Default OUTBOX_GRACE_MS. */
const DEFAULT_OUTBOX_GRACE_MS = 30_000;
/** Default EVENT_OUTBOX_GRACE_MS. */
const DEFAULT_EVENT_OUTBOX_GRACE_MS = 10_000;
/** Default DEAD_LETTER_RETENTION_DAYS. */
const DEFAULT_DEAD_LETTER_RETENTION_DAYS = 30;

export type MaintenanceRunReport =
  | { task: MaintenanceTask; skipped: 'already running' }
  | {
      task: MaintenanceTask;
      /** ISO times taken inside the lock: the runs of one task never overlap. */
      startedAt: string;
      finishedAt: string;
      durationMs: number;
      /**
       * Whether workers were told to reconcile at once ('*' on the reconcile channel): after a task
       * about sessions or jobs changed something, never after a retention task.
       */
      nudged: boolean;
      result: MaintenanceTaskReport;
    };

// One case per MAINTENANCE_TASKS entry: a task added to the queue contract without a runner here
// does not compile (the function would fall through without a return).
function runTask(task: MaintenanceTask, deps: MaintenanceDeps): Promise<MaintenanceTaskReport> {
  switch (task) {
    case 'stale-session-cleanup':
      return cleanupStaleSessions({ ...deps, staleAgeMs: deps.staleSessionAgeMs });
    case 'revive-failed-sessions':
      return reviveFailedSessions({ ...deps, cooldownMs: deps.revivalCooldownMs });
    case 'outbox-reconciliation':
      return reconcileOutbox({ ...deps, graceMs: deps.outboxGraceMs ?? DEFAULT_OUTBOX_GRACE_MS });
    case 'media-retention':
      return applyMediaRetention({ ...deps, ...mediaOf(deps) });
    case 'idempotency-key-cleanup':
      return cleanupIdempotencyKeys({ ...deps, ...deps.recordRetention });
    case 'dead-letter-retention':
      return applyDeadLetterRetention({
        ...deps,
        ...deps.recordRetention,
        retentionDays: deps.deadLetterRetentionDays ?? DEFAULT_DEAD_LETTER_RETENTION_DAYS,
      });
    case 'event-outbox-relay':
      return relayEventOutbox({ ...deps, graceMs: deps.eventOutboxGraceMs ?? DEFAULT_EVENT_OUTBOX_GRACE_MS });
  }
}

/** Tasks whose changes workers act on (sessions to claim, jobs to take); a record, so none is forgotten. */
const NUDGES_WORKERS: Record<MaintenanceTask, boolean> = {
  'stale-session-cleanup': true,
  'revive-failed-sessions': true,
  'outbox-reconciliation': true,
  'media-retention': false,
  'idempotency-key-cleanup': false,
  'dead-letter-retention': false,
  'event-outbox-relay': false,
};

function mediaOf(deps: MaintenanceDeps): NonNullable<MaintenanceDeps['media']> {
  if (deps.media) return deps.media;
  throw new UnrecoverableError(
    'maintenance task "media-retention" needs a media store, and this process has none',
  );
}

/**
 * Runs one task under its run lock and nudges the workers when a session or job task changed
 * anything, so a revived or reset session is claimed now rather than at the workers' next
 * reconcile pass. A run that finds the lock taken returns `{ skipped: 'already running' }`. A task
 * not in `MAINTENANCE_TASKS`, or media-retention without `deps.media`, throws `UnrecoverableError`
 * (BullMQ does not retry it).
 */
export async function runMaintenanceTask(task: string, deps: MaintenanceDeps): Promise<MaintenanceRunReport> {
  if (!isMaintenanceTask(task)) {
    throw new UnrecoverableError(
      `maintenance task "${task}" does not exist (the tasks: ${MAINTENANCE_TASKS.join(', ')})`,
    );
  }
  // Before the lock: a process that cannot run the task must not hold it against one that can.
  if (task === 'media-retention') mediaOf(deps);
  const locked = await withRunLock(
    { redis: deps.redis, key: runLockKey(deps.prefix, task), ttlMs: deps.lockTtlMs },
    async () => {
      const started = new Date();
      const result = await runTask(task, deps);
      const nudged = NUDGES_WORKERS[task] && result.changed > 0 && (await nudgeWorkers(deps));
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
