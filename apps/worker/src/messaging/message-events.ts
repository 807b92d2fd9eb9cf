import type { BatchCounts, Message } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { batchCompletedEvent, createEvent, type GatewayEvent, publishEvent } from '@wagw/queue';
import type { Redis } from 'ioredis';

/**
 * Publishes message events on the shared event stream (live streams, webhooks). Best effort: the
 * database row is the record; a Redis hiccup must not fail a send or drop an inbound message.
 */
export function createMessageEvents(deps: { redis: Redis; prefix: string; logger: Logger }) {
  async function publishEnvelope(envelope: GatewayEvent) {
    await publishEvent(deps.redis, deps.prefix, envelope).catch((err) =>
      deps.logger.warn(
        { err, sessionId: envelope.sessionId, event: envelope.event },
        'publishing message event failed',
      ),
    );
  }
  const publish = (event: string, sessionId: string, data: Record<string, unknown>) =>
    publishEnvelope(createEvent(event, sessionId, data));
  return {
    status(row: Message): Promise<void> {
      return publish('message.status', row.sessionId, {
        messageId: row.id,
        waMessageId: row.waMessageId,
        status: row.status,
        reason: row.statusReason,
      });
    },
    received(sessionId: string, data: Record<string, unknown>): Promise<void> {
      return publish('message.received', sessionId, data);
    },
    /** Every message of a bulk batch has left the outbox (see `batchCompletedEvent`). */
    batchCompleted(batch: BatchCounts): Promise<void> {
      return publishEnvelope(batchCompletedEvent(batch));
    },
  };
}

export type MessageEvents = ReturnType<typeof createMessageEvents>;
