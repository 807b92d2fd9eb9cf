import type { Repositories } from '@wagw/db';
import type { ListedMedia, MediaStore } from '@wagw/media';
import { type RedisConnection, recordMedia } from '@wagw/queue';
import { writeMediaInventory } from './media-inventory.js';

export interface MediaRetentionDeps {
  repos: { messages: Pick<Repositories['messages'], 'isMediaInUse'> };
  /** The media store every process shares (`openMediaStore(config.media.store)`). */
  store: Pick<MediaStore, 'list' | 'delete'>;
  /** MEDIA_STORE, the label of the inventory this run leaves behind. */
  backend: 'fs' | 's3';
  /** For the `deleted` counter and the inventory; a fail-fast connection is best. */
  redis: RedisConnection;
  /** QUEUE_PREFIX. */
  prefix: string;
  /** MEDIA_RETENTION_DAYS: media first stored longer ago than this goes. 0 keeps everything. */
  retentionDays: number;
  /** Deletions per run; the next run carries on. Default: 5000. */
  maxDeletesPerRun?: number;
  /** Wall time one run may spend walking the store, in ms; the next run carries on. Default: 120000. */
  timeBudgetMs?: number;
  /** Clock for the cut-off (not for the time budget). Default: `() => new Date()`. */
  now?: () => Date;
}

export interface MediaRetentionReport {
  retentionDays: number;
  /** Media first stored before this instant were candidates; null when retention is off. */
  cutoff: string | null;
  /** Objects the walk went through, old or not. */
  listed: number;
  /** Of those, first stored before the cut-off. */
  candidates: number;
  deleted: number;
  deletedBytes: number;
  /** Up to 20 of the deleted ids, for the log. */
  sampleDeletedIds: string[];
  /** Candidates kept because a waiting message needs them or a recent message uses them. */
  keptInUse: number;
  /** Candidates whose delete failed; they stay for the next run. Up to 10 with the reason. */
  failed: number;
  failures: Array<{ id: string; error: string }>;
  /**
   * Why the run ended: `end` of the store, `limit` (maxDeletesPerRun), `time` (timeBudgetMs),
   * `disabled` (MEDIA_RETENTION_DAYS=0: nothing looked at), or `error` (a failing store or
   * database; only in a MediaRetentionError's report).
   */
  stoppedBy: 'end' | 'limit' | 'time' | 'disabled' | 'error';
  /** What the store holds after this run; only when the walk reached the end (else null). */
  inventory: { objects: number; bytes: number } | null;
  /** Deleted objects. */
  changed: number;
}

const DAY_MS = 24 * 3600_000;
const DEFAULT_MAX_DELETES = 5000;
// Walking a store costs one metadata read per object (a sidecar on fs, 1/1000 of a listing on S3):
// two minutes covers hundreds of thousands of objects and keeps one run from holding a scheduler
// slot for long.
const DEFAULT_TIME_BUDGET_MS = 120_000;
/** Failed deletes after which the store counts as broken and the run stops. */
const MAX_DELETE_FAILURES = 20;
const SAMPLE_DELETED = 20;
const SAMPLE_FAILURES = 10;

/** A run that stopped on a failing store or database, with what it had done until then. */
export class MediaRetentionError extends Error {
  constructor(
    message: string,
    readonly report: MediaRetentionReport,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'MediaRetentionError';
  }
}

/**
 * Deletes stored media first stored more than MEDIA_RETENTION_DAYS ago that no `queued` or
 * `sending` message uses and no message of the last MEDIA_RETENTION_DAYS uses: the period runs
 * from the last message that used a file, so bytes stored again (a forwarded image, a sticker
 * received again) are kept as long as their newest message. Older messages keep their media id;
 * their file is gone after retention, as documented (a download answers 404).
 *
 * The store is walked in full (`list()` without `olderThan`) so that the time budget bounds the
 * walk itself, not only the old objects it yields, and so that the run can count what the store
 * holds for the `wagw_media_stored_*` gauges at no extra cost. Work per run is bounded by
 * maxDeletesPerRun and timeBudgetMs; deleted objects no longer take part in the next walk, so the
 * next run goes further.
 *
 * Never deletes when unsure: a database error stops the run (MediaRetentionError) rather than
 * treating the file as unused. A failing delete is counted and the walk goes on (one unwritable
 * file must not block retention forever), until MAX_DELETE_FAILURES say the store is broken.
 *
 * One limit: a file given by id to a new message between this run's check and its delete
 * (milliseconds) is deleted anyway; that message then fails with the media not found, visibly.
 * A file uploaded again (POST /api/media) but not yet used by a message keeps its first-stored time.
 */
export async function applyMediaRetention(deps: MediaRetentionDeps): Promise<MediaRetentionReport> {
  const report: MediaRetentionReport = {
    retentionDays: deps.retentionDays,
    cutoff: null,
    listed: 0,
    candidates: 0,
    deleted: 0,
    deletedBytes: 0,
    sampleDeletedIds: [],
    keptInUse: 0,
    failed: 0,
    failures: [],
    stoppedBy: 'disabled',
    inventory: null,
    changed: 0,
  };
  // Defence in depth: the scheduler does not schedule the task with 0, but a job scheduler left in
  // Redis by an earlier configuration, or a manual job, may still run it.
  if (deps.retentionDays <= 0) return report;

  const cutoff = new Date((deps.now?.() ?? new Date()).getTime() - deps.retentionDays * DAY_MS);
  report.cutoff = cutoff.toISOString();
  const maxDeletes = deps.maxDeletesPerRun ?? DEFAULT_MAX_DELETES;
  const budgetMs = deps.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const started = performance.now();
  let objects = 0;
  let bytes = 0;
  report.stoppedBy = 'end';
  try {
    for await (const item of deps.store.list()) {
      if (performance.now() - started >= budgetMs) {
        report.stoppedBy = 'time';
        break;
      }
      report.listed++;
      if (item.createdAt >= cutoff || (await isInUse(deps, item, cutoff, report))) {
        objects++;
        bytes += item.size;
        continue;
      }
      if (!(await deleteOne(deps, item, report))) {
        objects++;
        bytes += item.size;
      }
      if (report.deleted >= maxDeletes) {
        report.stoppedBy = 'limit';
        break;
      }
    }
  } catch (err) {
    report.stoppedBy = 'error';
    report.changed = report.deleted;
    if (err instanceof MediaRetentionError) throw err;
    throw new MediaRetentionError('media retention stopped: listing the store failed', report, {
      cause: err,
    });
  }

  report.changed = report.deleted;
  if (report.stoppedBy === 'end') {
    report.inventory = { objects, bytes };
    // Best effort: the gauges keep the previous walk's numbers (with its time) if this write fails.
    await writeMediaInventory(deps.redis, deps.prefix, {
      backend: deps.backend,
      objects,
      bytes,
      measuredAt: new Date(),
    }).catch(() => undefined);
  }
  return report;
}

/**
 * Counts the candidate; true when a waiting message needs it or a message younger than the cutoff
 * uses it. Database errors stop the run.
 */
async function isInUse(
  deps: MediaRetentionDeps,
  item: ListedMedia,
  cutoff: Date,
  report: MediaRetentionReport,
) {
  report.candidates++;
  let queued: boolean;
  try {
    queued = await deps.repos.messages.isMediaInUse(item.id, cutoff);
  } catch (err) {
    throw new MediaRetentionError(
      `media retention stopped: could not tell whether a message uses ${item.id}`,
      report,
      { cause: err },
    );
  }
  if (queued) report.keptInUse++;
  return queued;
}

/** Deletes one object; true when it is gone (deleted now, or already by someone else). */
async function deleteOne(
  deps: MediaRetentionDeps,
  item: ListedMedia,
  report: MediaRetentionReport,
): Promise<boolean> {
  let existed: boolean;
  try {
    existed = await deps.store.delete(item.id);
  } catch (err) {
    report.failed++;
    const error = err instanceof Error ? err.message : String(err);
    if (report.failures.length < SAMPLE_FAILURES) report.failures.push({ id: item.id, error });
    if (report.failed >= MAX_DELETE_FAILURES)
      throw new MediaRetentionError(
        `media retention stopped: ${report.failed} deletes failed, the store looks broken`,
        report,
        { cause: err },
      );
    return false;
  }
  if (!existed) return true;
  report.deleted++;
  report.deletedBytes += item.size;
  if (report.sampleDeletedIds.length < SAMPLE_DELETED) report.sampleDeletedIds.push(item.id);
  // Best effort, like every counter: the file is gone whatever Redis says.
  await recordMedia(deps.redis, deps.prefix, 'deleted', item.size).catch(() => undefined);
  return true;
}
