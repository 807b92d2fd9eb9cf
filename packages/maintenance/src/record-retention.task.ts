import type { Repositories } from '@wagw/db';

/** How much one run may delete, and for how long; the next run carries on. */
export interface BatchLimits {
  /** Rows per DELETE statement. Default: 500. */
  batchSize?: number;
  /** Rows per run. Default: 50000. */
  maxDeletesPerRun?: number;
  /** Wall time of one run, in ms (checked between batches). Default: 60000. */
  timeBudgetMs?: number;
}

export interface RecordRetentionReport {
  /** Rows older than this (dead letters) or expired before it (idempotency keys) were deleted; null when off. */
  cutoff: string | null;
  deleted: number;
  batches: number;
  /**
   * Why the run ended: `end` (a batch came back short: nothing left), `limit` (maxDeletesPerRun),
   * `time` (timeBudgetMs), or `disabled` (DEAD_LETTER_RETENTION_DAYS=0: nothing looked at).
   */
  stoppedBy: 'end' | 'limit' | 'time' | 'disabled';
  /** Deleted rows. */
  changed: number;
}

export interface IdempotencyKeyCleanupDeps extends BatchLimits {
  repos: { idempotencyKeys: Pick<Repositories['idempotencyKeys'], 'deleteExpired'> };
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
}

export interface DeadLetterRetentionDeps extends BatchLimits {
  repos: { deadLetters: Pick<Repositories['deadLetters'], 'deleteOlderThan'> };
  /** DEAD_LETTER_RETENTION_DAYS: dead letters unchanged for longer than this go. 0 keeps them all. */
  retentionDays: number;
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
}

const DAY_MS = 24 * 3600_000;
// 500 rows keep each DELETE (and, on SQLite, each write lock) to a few milliseconds, so API
// requests writing at the same time are never held up for long.
const DEFAULT_BATCH = 500;
const DEFAULT_MAX_DELETES = 50_000;
const DEFAULT_TIME_BUDGET_MS = 60_000;

/** A run stopped by a database error, with what it had deleted until then. */
export class RecordRetentionError extends Error {
  constructor(
    message: string,
    readonly report: RecordRetentionReport,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'RecordRetentionError';
  }
}

/**
 * Calls `deleteBatch(limit)` until a batch comes back short or a limit is reached. Each batch is
 * one statement that selects and deletes in the database, so a database that cannot answer
 * deletes nothing: the error stops the run (and BullMQ retries the job later).
 */
async function deleteInBatches(
  what: string,
  cutoff: Date,
  limits: BatchLimits,
  deleteBatch: (limit: number) => Promise<number>,
): Promise<RecordRetentionReport> {
  const batchSize = limits.batchSize ?? DEFAULT_BATCH;
  const maxDeletes = limits.maxDeletesPerRun ?? DEFAULT_MAX_DELETES;
  const budgetMs = limits.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const report: RecordRetentionReport = {
    cutoff: cutoff.toISOString(),
    deleted: 0,
    batches: 0,
    stoppedBy: 'end',
    changed: 0,
  };
  const started = performance.now();
  for (;;) {
    if (report.deleted >= maxDeletes) {
      report.stoppedBy = 'limit';
      break;
    }
    if (performance.now() - started >= budgetMs) {
      report.stoppedBy = 'time';
      break;
    }
    const limit = Math.min(batchSize, maxDeletes - report.deleted);
    let n: number;
    try {
      n = await deleteBatch(limit);
    } catch (err) {
      report.changed = report.deleted;
      throw new RecordRetentionError(`${what} stopped: the database failed`, report, { cause: err });
    }
    report.batches++;
    report.deleted += n;
    if (n < limit) break;
  }
  report.changed = report.deleted;
  return report;
}

/**
 * Deletes idempotency keys past their `expires_at` (IDEMPOTENCY_KEY_TTL after they were taken):
 * a repeated request with such a key is treated as new anyway, so the rows only take space.
 */
export function cleanupIdempotencyKeys(deps: IdempotencyKeyCleanupDeps): Promise<RecordRetentionReport> {
  const now = deps.now?.() ?? new Date();
  return deleteInBatches('idempotency key cleanup', now, deps, (limit) =>
    deps.repos.idempotencyKeys.deleteExpired(now, limit),
  );
}

/**
 * Deletes dead letters not failed again nor replayed for DEAD_LETTER_RETENTION_DAYS (`updated_at`),
 * oldest first. Their events can no longer be replayed afterwards; 0 keeps them until discarded.
 */
export async function applyDeadLetterRetention(
  deps: DeadLetterRetentionDeps,
): Promise<RecordRetentionReport> {
  // Defence in depth: the scheduler does not schedule the task with 0, but a job scheduler left in
  // Redis by an earlier configuration, or a manual job, may still run it.
  if (deps.retentionDays <= 0)
    return { cutoff: null, deleted: 0, batches: 0, stoppedBy: 'disabled', changed: 0 };
  const cutoff = new Date((deps.now?.() ?? new Date()).getTime() - deps.retentionDays * DAY_MS);
  return deleteInBatches('dead letter retention', cutoff, deps, (limit) =>
    deps.repos.deadLetters.deleteOlderThan(cutoff, limit),
  );
}
