import type { Message } from '@wagw/db';
import { type MediaLinkSettings, mediaView } from '@wagw/media';
import type { MessageView } from './messages.schemas.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * The public shape of a stored message. A media message also gets `media`, with a signed link to
 * its file when `links` is given (every API built with a media store) and the file is stored.
 */
export function toMessageView(message: Message, links?: MediaLinkSettings): MessageView {
  const outbound = message.direction === 'outbound';
  const media = mediaView(message.type, message.payload, links);
  return {
    id: message.id,
    sessionId: message.sessionId,
    direction: message.direction,
    remoteJid: message.remoteJid,
    to: outbound ? message.remoteJid : null,
    from: outbound ? null : message.remoteJid,
    ...groupParts(message),
    type: message.type,
    payload: message.payload,
    ...(media ? { media } : {}),
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

/** A group message: the group (`chatId`) and, inbound, the participant who wrote it (`author`). */
function groupParts(message: Message): Pick<MessageView, 'chatId' | 'author'> {
  if (!message.remoteJid.endsWith('@g.us')) return {};
  const author = message.payload.author;
  return { chatId: message.remoteJid, author: typeof author === 'string' ? author : null };
}

export function messageStatusUrl(id: string): string {
  return `/api/messages/${id}`;
}
