import type { BatchCounts, Message, OutboxEvent } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import type { MediaView } from '@wagw/media';
import {
  batchCompletedEvent,
  createEvent,
  type GatewayEvent,
  publishEvent,
  type RedisConnection,
  recordMedia,
  replicaAck,
} from '@wagw/queue';
import { createOutboxRemovals, type OutboxStore } from './outbox-removals.js';

/** A stored inbound message, as `message.received` describes it. */
export type ReceivedMessage = Pick<Message, 'id' | 'waMessageId' | 'type' | 'payload' | 'createdAt'>;

/**
 * The id of a message's `message.received` event, derived from the row: a worker that publishes it
 * again (it took over a session whose media download had finished but not been announced) sends
 * the same id, which webhook delivery and receivers deduplicate on.
 */
const receivedEventId = (messageId: string) => `message.${messageId}.received`;

/**
 * Publishes message events on the shared event stream (live streams, webhooks). A Redis hiccup
 * must not fail a send or drop an inbound message. Status and received events are written to the
 * event outbox with their row (`statusEvent`/`receivedEvent` build them for the repository), then
 * published by `publishStored`, which deletes the outbox row once the stream has the event; one
 * that fails to publish stays there for the scheduler's relay (event-outbox-relay).
 */
export function createMessageEvents(deps: {
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
  /** Where published events' outbox rows are deleted; absent: nothing is deleted (tests). */
  outbox?: OutboxStore;
}) {
  // WAIT on the connection that published: it confirms that connection's writes.
  const removals = createOutboxRemovals(deps.outbox, deps.logger, replicaAck(deps.redis));
  async function publishEnvelope(envelope: GatewayEvent) {
    await publishEvent(deps.redis, deps.prefix, envelope).catch((err) =>
      deps.logger.warn(
        { err, sessionId: envelope.sessionId, event: envelope.event },
        'publishing message event failed',
      ),
    );
  }
  const stored = (envelope: GatewayEvent): OutboxEvent => ({
    id: envelope.id,
    sessionId: envelope.sessionId,
    envelope: envelope as unknown as Record<string, unknown>,
  });
  const statusEnvelope = (row: Message) =>
    createEvent('message.status', row.sessionId, {
      messageId: row.id,
      waMessageId: row.waMessageId,
      status: row.status,
      reason: row.statusReason,
    });
  return {
    status(row: Message): Promise<void> {
      return publishEnvelope(statusEnvelope(row));
    },
    /** `message.status` of an updated row, for the outbox (written with the update). */
    statusEvent: (row: Message): OutboxEvent => stored(statusEnvelope(row)),
    /** `message.received` of a new inbound row (no media), for the outbox (written with the row). */
    receivedEvent: (sessionId: string, message: ReceivedMessage): OutboxEvent =>
      stored(receivedEnvelope(sessionId, message)),
    /** Publishes an event the outbox holds; its row goes once the stream has it, else the relay sends it. */
    async publishStored(event: OutboxEvent): Promise<void> {
      try {
        await publishEvent(deps.redis, deps.prefix, event.envelope as unknown as GatewayEvent);
      } catch (err) {
        deps.logger.warn(
          { err, sessionId: event.sessionId, eventId: event.id },
          'publishing event failed; the outbox relay will send it',
        );
        return;
      }
      removals.add(event.id);
    },
    /**
     * `message.received` for a stored inbound message: the payload without the sender (which is
     * `from`) and, for media, the public `media` view with its signed link.
     */
    received(sessionId: string, message: ReceivedMessage, media?: MediaView): Promise<void> {
      return publishEnvelope(receivedEnvelope(sessionId, message, media));
    },
    /** Counts a received (downloaded) or failed inbound file for the metrics; best effort. */
    async mediaCounted(outcome: 'received' | 'failed', bytes: number): Promise<void> {
      await recordMedia(deps.redis, deps.prefix, outcome, bytes).catch((err) =>
        deps.logger.warn({ err, outcome }, 'counting media failed'),
      );
    },
    /**
     * `batch.completed` (every message of a bulk batch has left the outbox), for the event outbox:
     * written by the status change that settled the batch, then published with `publishStored`.
     */
    batchCompletedEvent: (batch: BatchCounts): OutboxEvent => stored(batchCompletedEvent(batch)),
    /** Deletes the outbox rows of what was published so far (at shutdown). */
    flush: () => removals.flush(),
  };
}

export type MessageEvents = ReturnType<typeof createMessageEvents>;

function receivedEnvelope(sessionId: string, message: ReceivedMessage, media?: MediaView): GatewayEvent {
  const { from, chatId, author, mentions, ...payload } = message.payload;
  const data = {
    messageId: message.id,
    waMessageId: message.waMessageId,
    from,
    // Group messages: the group, and the participant who wrote (also `from`).
    ...(chatId ? { chatId, author } : {}),
    // `[{ jid, lid }]`, as inbound.ts stored them; absent when nobody is mentioned.
    ...(mentions ? { mentions } : {}),
    type: message.type,
    payload,
    timestamp: message.createdAt.toISOString(),
    ...(media ? { media } : {}),
  };
  return createEvent('message.received', sessionId, data, { id: receivedEventId(message.id) });
}
