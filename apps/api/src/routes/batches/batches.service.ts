import { type EventOutboxRepository, newId, type OutboxEvent } from '@wagw/db';
import { AppError } from '@wagw/errors';
import {
  batchCompletedEvent,
  enqueueBulk,
  type GatewayEvent,
  publishEvent,
  SEND_QUEUE_JOBS,
  sendMessageJob,
  writesConfirmed,
} from '@wagw/queue';
import type { IdempotencyClaim } from '../../lib/idempotency.js';
import { withRedis } from '../../lib/redis-guard.js';
import { requireSession } from '../../lib/session-guard.js';
import { composeMessage, type Draft, outboundRow, settleDraft } from '../messages/compose-message.js';
import { type MessageIntakeServiceDeps, storedButNotEnqueued } from '../messages/message-intake.service.js';
import { type MediaForRequest, mediaForRequest } from '../messages/message-media.js';
import { sendMessageBody } from '../messages/messages.schemas.js';
import { type AcceptedBatch, MAX_BULK_MESSAGES } from './batches.schemas.js';

/** What single sends need, plus where batch events go. */
export interface BatchServiceDeps extends MessageIntakeServiceDeps {
  /** QUEUE_PREFIX: where `batch.completed` is published when a cancel settles the batch. */
  redisPrefix: string;
  /** Where that event's outbox row is deleted once published (else the relay publishes it). */
  eventOutbox?: Pick<EventOutboxRepository, 'remove'>;
}

/** One bad item of a bulk request. */
interface ItemError {
  index: number;
  code: string;
  message: string;
  path: string;
  /** More about it (the limit an inline file went over). */
  details?: Record<string, unknown>;
}

/** Jobs per addBulk call: one MULTI each, well under the per-call Redis timeout. */
const ENQUEUE_CHUNK = 1000;
/** Concurrent job removals while cancelling (one small Lua script each). */
const REMOVE_CONCURRENCY = 100;
/** Item errors returned in full; beyond it only the count (a 10,000-item mistake is one mistake). */
const MAX_REPORTED_ERRORS = 1000;

export function createBatchService(deps: BatchServiceDeps) {
  const { messages, sessions } = deps.repos;

  /**
   * Validates every item; throws 400 with all item errors by index (each with its own code: a file
   * too large is PAYLOAD_TOO_LARGE, a missing one MEDIA_NOT_FOUND...), or returns the drafts.
   */
  async function validate(sessionId: string, items: readonly unknown[], media: MediaForRequest) {
    const drafts: Draft[] = [];
    const errors: ItemError[] = [];
    const context = { findMessage: (id: string) => messages.getById(id), media };
    for (const [index, item] of items.entries()) {
      const parsed = sendMessageBody.safeParse(item);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          errors.push({
            index,
            code: 'VALIDATION_FAILED',
            message: issue.message,
            path: issue.path.join('.'),
          });
        }
        continue;
      }
      const composed = await composeMessage(sessionId, parsed.data, context);
      if (composed.ok) drafts.push(composed.draft);
      else errors.push({ index, ...composed.error });
    }
    if (errors.length > 0) {
      const failed = new Set(errors.map((e) => e.index)).size;
      throw new AppError(
        'VALIDATION_FAILED',
        `${failed} of ${items.length} messages are invalid; nothing was sent`,
        {
          details: { errorCount: errors.length, errors: errors.slice(0, MAX_REPORTED_ERRORS) },
        },
      );
    }
    return drafts;
  }

  async function send(
    sessionId: string,
    items: readonly unknown[],
    claim?: IdempotencyClaim,
  ): Promise<{ accepted: AcceptedBatch; enqueueError?: AppError }> {
    if (items.length > MAX_BULK_MESSAGES) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `a bulk request carries at most ${MAX_BULK_MESSAGES} messages`,
        {
          details: { max: MAX_BULK_MESSAGES, count: items.length },
        },
      );
    }
    await requireSession(sessions, sessionId);
    const media = mediaForRequest(deps.media);
    const drafts = await validate(sessionId, items, media);
    // Only a valid batch stores its inline files: each distinct file once, however many items carry it.
    const settled = [];
    for (const draft of drafts) settled.push(await settleDraft(draft, media));
    const batchId = newId();
    const rows = settled.map((draft) => outboundRow(sessionId, draft, batchId));
    const accepted: AcceptedBatch = { batchId, count: rows.length, statusUrl: `/api/batches/${batchId}` };
    // One transaction, with the Idempotency-Key's answer: all or nothing. Only then the jobs (the
    // outbox order).
    await messages.insertMany(
      rows,
      claim && { idempotency: { keyId: claim.keyId, status: 202, body: accepted } },
    );
    try {
      await enqueueAll(sessionId, batchId, rows);
      return { accepted };
    } catch (err) {
      return {
        accepted,
        enqueueError: storedButNotEnqueued(err, { batchId, statusUrl: accepted.statusUrl }),
      };
    }
  }

  async function enqueueAll(sessionId: string, batchId: string, rows: ReadonlyArray<{ id: string }>) {
    const queue = deps.sendQueues.get(sessionId);
    for (let i = 0; i < rows.length; i += ENQUEUE_CHUNK) {
      const jobs = rows.slice(i, i + ENQUEUE_CHUNK).map((row) => {
        const messageId = row.id;
        return {
          name: SEND_QUEUE_JOBS.send,
          data: { messageId, sessionId, batchId },
          options: { jobId: messageId },
        };
      });
      await withRedis(deps.redis, () => enqueueBulk(queue, sendMessageJob, jobs));
    }
  }

  async function get(batchId: string) {
    const counts = await messages.countByBatch(batchId);
    if (!counts) throw new AppError('BATCH_NOT_FOUND', `batch ${batchId} not found`);
    return counts;
  }

  /**
   * Cancels what has not started: rows still `queued` become `cancelled` in one compare-and-set
   * statement (a row a worker already took stays as it is), then their jobs are removed. Removal
   * is cleanup, not the guarantee: a job that cannot be removed (active, or Redis down) finds its
   * row cancelled and is skipped by the worker.
   */
  async function cancel(batchId: string, authorize: (sessionId: string) => void) {
    const before = await get(batchId);
    authorize(before.sessionId);
    // A cancel that empties the outbox settles the batch: no worker will send a last message and
    // notice it, so `batch.completed` is written here, in the cancel's transaction (event outbox).
    let completed: OutboxEvent | undefined;
    const cancelledIds = await messages.cancelQueued(
      { batchId },
      {
        batchEvent: (counts) => {
          const envelope = batchCompletedEvent(counts);
          completed = { id: envelope.id, sessionId: counts.sessionId, envelope: { ...envelope } };
          return completed;
        },
      },
    );
    const jobsRemoved = await removeJobs(before.sessionId, cancelledIds);
    const after = await get(batchId);
    if (completed) await announce(completed);
    return { ...after, cancelled: cancelledIds.length, jobsRemoved };
  }

  /** Publishes a stored event and deletes its outbox row; if Redis is away the relay sends it later. */
  async function announce(event: OutboxEvent): Promise<void> {
    try {
      await publishEvent(deps.redis, deps.redisPrefix, event.envelope as unknown as GatewayEvent);
    } catch {
      return;
    }
    // On Sentinel the row stays until a replica has the event (a failover would lose it otherwise).
    if (!(await writesConfirmed(deps.redis))) return;
    await deps.eventOutbox?.remove([event.id]).catch(() => undefined);
  }

  async function removeJobs(sessionId: string, ids: readonly string[]): Promise<number> {
    const queue = deps.sendQueues.get(sessionId);
    let removed = 0;
    try {
      for (let i = 0; i < ids.length; i += REMOVE_CONCURRENCY) {
        const part = ids.slice(i, i + REMOVE_CONCURRENCY);
        const results = await withRedis(deps.redis, () => Promise.all(part.map((id) => queue.remove(id))));
        removed += results.filter((n) => n === 1).length;
      }
    } catch {
      // Redis down: the rows are cancelled, which is what counts; the jobs are skipped when consumed.
    }
    return removed;
  }

  return { send, get, cancel };
}

export type BatchService = ReturnType<typeof createBatchService>;
