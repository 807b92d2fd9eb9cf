import type { BatchCounts, Message } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import type { MediaView } from '@wagw/media';
import { batchCompletedEvent, createEvent, type GatewayEvent, publishEvent, recordMedia } from '@wagw/queue';
import type { Redis } from 'ioredis';

/** A stored inbound message, as `message.received` describes it. */
export type ReceivedMessage = Pick<Message, 'id' | 'waMessageId' | 'type' | 'payload' | 'createdAt'>;

/**
 * The id of a message's `message.received` event, derived from the row: a worker that publishes it
 * again (it took over a session whose media download had finished but not been announced) sends
 * the same id, which webhook delivery and receivers deduplicate on.
 */
const receivedEventId = (messageId: string) => `message.${messageId}.received`;

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
    /**
     * `message.received` for a stored inbound message: the payload without the sender (which is
     * `from`) and, for media, the public `media` view with its signed link.
     */
    received(sessionId: string, message: ReceivedMessage, media?: MediaView): Promise<void> {
      const { from, ...payload } = message.payload;
      const data = {
        messageId: message.id,
        waMessageId: message.waMessageId,
        from,
        type: message.type,
        payload,
        timestamp: message.createdAt.toISOString(),
        ...(media ? { media } : {}),
      };
      return publishEnvelope(
        createEvent('message.received', sessionId, data, { id: receivedEventId(message.id) }),
      );
    },
    /** Counts a received (downloaded) or failed inbound file for the metrics; best effort. */
    async mediaCounted(outcome: 'received' | 'failed', bytes: number): Promise<void> {
      await recordMedia(deps.redis, deps.prefix, outcome, bytes).catch((err) =>
        deps.logger.warn({ err, outcome }, 'counting media failed'),
      );
    },
    /** Every message of a bulk batch has left the outbox (see `batchCompletedEvent`). */
    batchCompleted(batch: BatchCounts): Promise<void> {
      return publishEnvelope(batchCompletedEvent(batch));
    },
  };
}

export type MessageEvents = ReturnType<typeof createMessageEvents>;
