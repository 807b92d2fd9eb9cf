import type { Message } from '@wagw/db';
import type { MessageView } from './messages.schemas.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The public shape of a stored message. */
export function toMessageView(message: Message): MessageView {
  const outbound = message.direction === 'outbound';
  return {
    id: message.id,
    sessionId: message.sessionId,
    direction: message.direction,
    remoteJid: message.remoteJid,
    to: outbound ? message.remoteJid : null,
    from: outbound ? null : message.remoteJid,
    type: message.type,
    payload: message.payload,
    status: message.status,
    statusReason: message.statusReason,
    waMessageId: message.waMessageId,
    batchId: message.batchId,
    attempts: message.attempts,
    createdAt: message.createdAt.toISOString(),
    updatedAt: message.updatedAt.toISOString(),
    sentAt: iso(message.sentAt),
    deliveredAt: iso(message.deliveredAt),
    readAt: iso(message.readAt),
  };
}

export function messageStatusUrl(id: string): string {
  return `/api/messages/${id}`;
}
