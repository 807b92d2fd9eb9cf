import type { Message, Repositories } from '@wagw/db';
import { createSendQueues, enqueueBulk, SEND_QUEUE_JOBS, type SendQueues, sendMessageJob } from '@wagw/queue';
import type { Redis } from 'ioredis';

export interface OutboxReconciliationDeps {
  repos: { messages: Pick<Repositories['messages'], 'listQueuedBefore'> };
  /** Connection for the send queues (shared, left open). */
  redis: Redis;
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
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
}

export interface OutboxReconciliationReport {
  /** `queued` outbound messages older than the grace period. */
  scanned: number;
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
 */
export async function reconcileOutbox(deps: OutboxReconciliationDeps): Promise<OutboxReconciliationReport> {
  const now = deps.now?.() ?? new Date();
  const olderThan = new Date(now.getTime() - deps.graceMs);
  const pageSize = deps.pageSize ?? 1000;
  const queues = createSendQueues(deps.redis, deps.prefix);
  const report: OutboxReconciliationReport = {
    scanned: 0,
    jobPresent: 0,
    reenqueued: 0,
    sessionIds: [],
    sampleMessageIds: [],
    changed: 0,
  };
  const sessions = new Set<string>();
  try {
    let afterId: string | null = null;
    for (;;) {
      const page = await deps.repos.messages.listQueuedBefore(olderThan, pageSize, afterId);
      const last = page.at(-1);
      if (!last) break;
      afterId = last.id;
      report.scanned += page.length;
      for (const [sessionId, rows] of groupBySession(page)) {
        const added = await reenqueueMissing(queues, sessionId, rows);
        report.jobPresent += rows.length - added.length;
        report.reenqueued += added.length;
        if (added.length > 0) sessions.add(sessionId);
        const room = SAMPLE - report.sampleMessageIds.length;
        if (room > 0) report.sampleMessageIds.push(...added.slice(0, room));
      }
      if (page.length < pageSize) break;
    }
  } finally {
    await queues.close();
  }
  report.sessionIds = [...sessions];
  report.changed = report.reenqueued;
  return report;
}

function groupBySession(rows: readonly Message[]): Map<string, Message[]> {
  const out = new Map<string, Message[]>();
  for (const row of rows) {
    const list = out.get(row.sessionId) ?? [];
    list.push(row);
    out.set(row.sessionId, list);
  }
  return out;
}

/** Looks each job up by id and adds the missing ones in chunks; returns the re-enqueued ids. */
async function reenqueueMissing(queues: SendQueues, sessionId: string, rows: Message[]): Promise<string[]> {
  const queue = queues.get(sessionId);
  const jobs = await Promise.all(rows.map((row) => queue.getJob(row.id)));
  const missing = rows.filter((_, i) => !jobs[i]);
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
