import type { Message } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { createEvent, publishEvent } from '@wagw/queue';
import type { Redis } from 'ioredis';

/**
 * Publishes message events on the shared event stream (live streams, webhooks). Best effort: the
 * database row is the record; a Redis hiccup must not fail a send or drop an inbound message.
 */
export function createMessageEvents(deps: { redis: Redis; prefix: string; logger: Logger }) {
  async function publish(event: string, sessionId: string, data: Record<string, unknown>) {
    await publishEvent(deps.redis, deps.prefix, createEvent(event, sessionId, data)).catch((err) =>
      deps.logger.warn({ err, sessionId, event }, 'publishing message event failed'),
    );
  }
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
  };
}

export type MessageEvents = ReturnType<typeof createMessageEvents>;
