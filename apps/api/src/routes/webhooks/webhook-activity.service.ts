import { AppError } from '@wagw/errors';
import {
  createEvent,
  type DeliveryAttempt,
  enqueue,
  type RedisConnection,
  readDeliveryAttempts,
  WEBHOOK_JOB,
  type WebhookRetryPolicy,
  webhookDeliveryJob,
  webhookJobId,
  webhookJobOptions,
} from '@wagw/queue';
import type { Queue } from 'bullmq';
import { withRedis } from '../../lib/redis-guard.js';
import { TEST_EVENT } from './webhook-activity.schemas.js';
import { type Authorize, ownerOf, type WebhookAdminService } from './webhook-admin.service.js';

export interface WebhookActivityServiceDeps {
  webhooks: Pick<WebhookAdminService, 'find'>;
  /** The fail-fast producer connection; also the connection of the webhooks queue. */
  redis: RedisConnection;
  redisPrefix: string;
  /** The `webhooks` queue (QUEUES.webhooks), created on first use. */
  queue: () => Queue;
  /** Attempts and backoff of the test delivery: the same as any event's. */
  retry: WebhookRetryPolicy;
}

/**
 * What a webhook has been doing, and a way to make it do something: a test event queued for this
 * one endpoint, and the recent attempts the workers recorded (see webhook-delivery-log.ts).
 */
export function createWebhookActivityService(deps: WebhookActivityServiceDeps) {
  /**
   * Queues a `webhook.test` envelope straight onto the delivery queue for this webhook, past the
   * event stream: no other webhook and no SSE client sees it. It is then delivered exactly as an
   * event would be (signed, retried, dead-lettered when it keeps failing), which is what it tests.
   */
  async function sendTest(webhookId: string, authorize: Authorize) {
    const target = await deps.webhooks.find(webhookId);
    authorize(ownerOf(target));
    if (target.kind === 'config' && !target.config) {
      throw new AppError('WEBHOOK_NOT_FOUND', `webhook ${webhookId} not found`);
    }
    if (target.kind === 'row' && !target.row.enabled) {
      throw new AppError('CONFLICT', `webhook ${webhookId} is disabled: enable it to send a test event`);
    }
    const sessionId = ownerOf(target);
    const event = createEvent(TEST_EVENT, sessionId, {
      webhookId,
      message: 'A test event from wagw: this endpoint receives and verifies deliveries.',
    });
    await withRedis(deps.redis, () =>
      enqueue(
        deps.queue(),
        webhookDeliveryJob,
        WEBHOOK_JOB,
        { eventId: event.id, webhookId, event },
        { ...webhookJobOptions(deps.retry), jobId: webhookJobId(event.id, webhookId) },
      ),
    );
    return { eventId: event.id, event: event as unknown as Record<string, unknown> };
  }

  async function deliveries(
    webhookId: string,
    limit: number,
    authorize: Authorize,
  ): Promise<{ items: DeliveryAttempt[] }> {
    const target = await deps.webhooks.find(webhookId);
    authorize(ownerOf(target));
    const items = await withRedis(deps.redis, () =>
      readDeliveryAttempts(deps.redis, deps.redisPrefix, webhookId, limit),
    );
    return { items };
  }

  return { sendTest, deliveries };
}

export type WebhookActivityService = ReturnType<typeof createWebhookActivityService>;
