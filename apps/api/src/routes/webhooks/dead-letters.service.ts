import type { Database, DeadLetterStatus, WebhookDeadLetter } from '@wagw/db';
import { AppError } from '@wagw/errors';
import {
  type EnqueueOptions,
  enqueueBulk,
  gatewayEventSchema,
  type RedisConnection,
  WEBHOOK_JOB,
  type WebhookRetryPolicy,
  webhookDeliveryJob,
  webhookJobOptions,
  webhookReplayJobId,
} from '@wagw/queue';
import type { Queue } from 'bullmq';
import { REDIS_RETRY_AFTER_S, withRedis } from '../../lib/redis-guard.js';
import {
  type Authorize,
  ownerOf,
  type WebhookAdminService,
  type WebhookTarget,
} from './webhook-admin.service.js';
import { toDeadLetterView } from './webhook-view.js';
import type { DeadLetterView } from './webhooks.schemas.js';

export interface DeadLetterServiceDeps {
  repos: Pick<Database['repos'], 'deadLetters'>;
  webhooks: Pick<WebhookAdminService, 'find'>;
  /** The fail-fast producer connection; also the connection of the webhooks queue. */
  redis: RedisConnection;
  /** The `webhooks` queue (QUEUES.webhooks), created on first use. */
  queue: () => Queue;
  /** Attempts and backoff of a replayed delivery: the same as a first delivery. */
  retry: WebhookRetryPolicy;
}

/** Replay jobs per addBulk call: one MULTI each, well under the per-call Redis timeout. */
const ENQUEUE_CHUNK = 1000;

export interface ReplayResult {
  replayed: number;
  ids: string[];
}

/** Deliveries that exhausted their retries: listed, replayed through the queue, or discarded. */
export function createDeadLetterService(deps: DeadLetterServiceDeps) {
  const { deadLetters } = deps.repos;

  async function authorized(webhookId: string, authorize: Authorize): Promise<WebhookTarget> {
    const target = await deps.webhooks.find(webhookId);
    authorize(ownerOf(target));
    return target;
  }

  async function ownRow(webhookId: string, id: string): Promise<WebhookDeadLetter> {
    const row = await deadLetters.getById(id);
    if (!row || row.webhookId !== webhookId) {
      throw new AppError('DEAD_LETTER_NOT_FOUND', `dead letter ${id} of webhook ${webhookId} not found`);
    }
    return row;
  }

  async function list(
    webhookId: string,
    query: { status?: DeadLetterStatus; limit: number; cursor?: string },
    authorize: Authorize,
  ): Promise<{ items: DeadLetterView[]; nextCursor: string | null }> {
    await authorized(webhookId, authorize);
    const page = await deadLetters.list({ webhookId, ...query });
    return { items: page.items.map(toDeadLetterView), nextCursor: page.nextCursor };
  }

  /**
   * Hands dead letters back to the delivery queue: `dead` → `replaying` first (a compare-and-set, so
   * a double click replays once), then one job per row with its own id per replay round. Rows whose
   * jobs could not be added go back to `dead`, so a Redis outage loses nothing.
   */
  async function replay(
    webhookId: string,
    id: string | undefined,
    authorize: Authorize,
  ): Promise<ReplayResult> {
    const target = await authorized(webhookId, authorize);
    if (target.kind === 'config' && !target.config) {
      throw new AppError(
        'CONFLICT',
        'the configuration webhook is not set (WEBHOOK_URL): its dead letters can be listed or discarded, not replayed',
      );
    }
    let rows: WebhookDeadLetter[];
    if (id === undefined) {
      rows = await deadLetters.markReplaying({ webhookId });
    } else {
      await ownRow(webhookId, id);
      rows = await deadLetters.markReplaying({ id });
      if (rows.length === 0) {
        throw new AppError('CONFLICT', `dead letter ${id} is already being replayed`, {
          details: { status: 'replaying' },
        });
      }
    }
    await enqueueReplays(rows);
    return { replayed: rows.length, ids: rows.map((row) => row.id) };
  }

  async function revert(rows: readonly WebhookDeadLetter[]): Promise<void> {
    // Best effort per row: one failed revert must not keep the others `replaying`.
    await Promise.allSettled(rows.map((row) => deadLetters.revertReplaying(row.id)));
  }

  function replayJob(row: WebhookDeadLetter, options: EnqueueOptions) {
    return {
      name: WEBHOOK_JOB,
      data: {
        eventId: row.eventId,
        webhookId: row.webhookId,
        event: gatewayEventSchema.parse(row.payload),
        deadLetterId: row.id,
        priorAttempts: row.attempts,
      },
      options: { ...options, jobId: webhookReplayJobId(row.id, row.replayCount) },
    };
  }

  async function enqueueReplays(rows: readonly WebhookDeadLetter[]): Promise<void> {
    let jobs: ReturnType<typeof replayJob>[];
    try {
      // Built before Redis is touched: a stored envelope that no longer parses is not a Redis outage.
      const options = webhookJobOptions(deps.retry);
      jobs = rows.map((row) => replayJob(row, options));
    } catch (err) {
      await revert(rows);
      throw err;
    }
    for (let i = 0; i < jobs.length; i += ENQUEUE_CHUNK) {
      try {
        await withRedis(deps.redis, () =>
          enqueueBulk(deps.queue(), webhookDeliveryJob, jobs.slice(i, i + ENQUEUE_CHUNK)),
        );
      } catch (err) {
        await revert(rows.slice(i));
        throw new AppError(
          'QUEUE_UNAVAILABLE',
          `Redis is unreachable: ${rows.length - i} dead letters were not replayed and stay dead; retry shortly`,
          {
            cause: err,
            retryAfter: REDIS_RETRY_AFTER_S,
            details: { replayed: i, ids: rows.slice(0, i).map((row) => row.id) },
          },
        );
      }
    }
  }

  async function discard(webhookId: string, id: string | undefined, authorize: Authorize): Promise<number> {
    await authorized(webhookId, authorize);
    if (id === undefined) return deadLetters.discard({ webhookId });
    await ownRow(webhookId, id);
    const removed = await deadLetters.discard({ id });
    if (removed === 0) {
      throw new AppError('DEAD_LETTER_NOT_FOUND', `dead letter ${id} of webhook ${webhookId} not found`);
    }
    return removed;
  }

  return { list, replay, discard };
}

export type DeadLetterService = ReturnType<typeof createDeadLetterService>;
