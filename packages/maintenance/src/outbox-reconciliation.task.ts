import type { OutboxRow, Repositories } from '@wagw/db';
import {
  createSendQueues,
  enqueueBulk,
  type RedisConnection,
  redisKeys,
  SEND_QUEUE_JOBS,
  type SendQueues,
  sendMessageJob,
} from '@wagw/queue';

export interface OutboxReconciliationDeps {
  repos: { messages: Pick<Repositories['messages'], 'listQueuedBefore'> };
  /** Connection for the send queues (shared, left open). */
  redis: RedisConnection;
  /** QUEUE_PREFIX: where the send queues live. */
  prefix: string;
  /**
   * How long a message may stay `queued` before a missing job counts as lost, in ms
   * (OUTBOX_GRACE_MS, default 30000). The API enqueues right after committing the row, so a
   * younger row may simply not have its job yet.
   */
  graceMs: number;
  /** Rows read per page. Default 1000. */
  pageSize?: number;
  /**
   * Rows one run examines at most; the next run goes on where this one stopped (a cursor in
   * Redis) and the walk starts over once it reaches the end. Default 10000: a run stays a few
   * seconds of work however large the outbox, and a 100,000-row backlog is covered in 11 runs.
   */
  maxRowsPerRun?: number;
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
}

export interface OutboxReconciliationReport {
  /** `queued` outbound messages older than the grace period examined by this run. */
  scanned: number;
  /** Whether this run reached the end of the outbox (the next run starts from the beginning). */
  complete: boolean;
  /** Of those, whose job was still in Redis (waiting, delayed, active, failed...). */
  jobPresent: number;
  /** Re-enqueued under their own id (the job was missing). */
  reenqueued: number;
  /** Sessions that had at least one message re-enqueued. */
  sessionIds: string[];
  /** Up to 100 of the re-enqueued message ids, for the log. */
  sampleMessageIds: string[];
  changed: number;
}

/** Jobs per addBulk call: one MULTI each, so a big backlog never becomes one huge Redis command. */
const ADD_CHUNK = 500;
const SAMPLE = 100;

/**
 * The outbox guarantee: the API commits a message row (`queued`) before it enqueues the job whose
 * id is the message id, so a crash or a Redis outage in between, or Redis losing its data, leaves a
 * row without a job. This finds such rows and enqueues them again with the same job id. Adding a
 * job id that already exists is a no-op in BullMQ, so a race with the API (or another run) never
 * produces a second job, and nothing accepted with 202 is ever lost.
 *
 * Incremental: a run examines at most `maxRowsPerRun` rows from where the previous run stopped,
 * reading only ids (no payloads) and asking Redis whether each page's jobs exist in one pipeline.
 * Before, every run read every queued row in full and fetched each one's job: a backlog of a slow
 * session made every run (every 30 s) cost as much as the backlog was large.
 */
export async function reconcileOutbox(deps: OutboxReconciliationDeps): Promise<OutboxReconciliationReport> {
  const now = deps.now?.() ?? new Date();
  const olderThan = new Date(now.getTime() - deps.graceMs);
  const pageSize = deps.pageSize ?? 1000;
  const maxRows = deps.maxRowsPerRun ?? 10_000;
  const cursorKey = redisKeys(deps.prefix).outboxCursor;
  const queues = createSendQueues(deps.redis, deps.prefix);
  const report: OutboxReconciliationReport = {
    scanned: 0,
    complete: false,
    jobPresent: 0,
    reenqueued: 0,
    sessionIds: [],
    sampleMessageIds: [],
    changed: 0,
  };
  const sessions = new Set<string>();
  try {
    let afterId: string | null = await deps.redis.get(cursorKey);
    for (;;) {
      const want = Math.min(pageSize, maxRows - report.scanned);
      const page = await deps.repos.messages.listQueuedBefore(olderThan, want, afterId);
      const last = page.at(-1);
      if (!last) {
        report.complete = true;
        break;
      }
      afterId = last.id;
      report.scanned += page.length;
      for (const [sessionId, rows] of groupBySession(page)) {
        const added = await reenqueueMissing(queues, deps.redis, sessionId, rows);
        report.jobPresent += rows.length - added.length;
        report.reenqueued += added.length;
        if (added.length > 0) sessions.add(sessionId);
        const room = SAMPLE - report.sampleMessageIds.length;
        if (room > 0) report.sampleMessageIds.push(...added.slice(0, room));
      }
      if (page.length < want) {
        report.complete = true;
        break;
      }
      if (report.scanned >= maxRows) break;
    }
    if (report.complete) await deps.redis.del(cursorKey);
    else if (afterId) await deps.redis.set(cursorKey, afterId);
  } finally {
    await queues.close();
  }
  report.sessionIds = [...sessions];
  report.changed = report.reenqueued;
  return report;
}

function groupBySession(rows: readonly OutboxRow[]): Map<string, OutboxRow[]> {
  const out = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const list = out.get(row.sessionId) ?? [];
    list.push(row);
    out.set(row.sessionId, list);
  }
  return out;
}

/**
 * Asks whether each row's job exists (one EXISTS per job hash, in one pipeline: the job itself is
 * not needed) and adds the missing ones in chunks; returns the re-enqueued ids.
 */
async function reenqueueMissing(
  queues: SendQueues,
  redis: RedisConnection,
  sessionId: string,
  rows: OutboxRow[],
): Promise<string[]> {
  const queue = queues.get(sessionId);
  const pipeline = redis.pipeline();
  for (const row of rows) pipeline.exists(queue.toKey(row.id));
  const results = (await pipeline.exec()) ?? [];
  const missing = rows.filter((_, i) => {
    const [err, exists] = results[i] ?? [new Error('no reply')];
    if (err) throw err;
    return exists === 0;
  });
  for (let i = 0; i < missing.length; i += ADD_CHUNK) {
    await enqueueBulk(
      queue,
      sendMessageJob,
      missing.slice(i, i + ADD_CHUNK).map((row) => ({
        name: SEND_QUEUE_JOBS.send,
        data: {
          messageId: row.id,
          sessionId: row.sessionId,
          ...(row.batchId ? { batchId: row.batchId } : {}),
        },
        options: { jobId: row.id },
      })),
    );
  }
  return missing.map((row) => row.id);
}
