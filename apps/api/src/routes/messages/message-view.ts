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
    ...mentionsView(message.payload),
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

type Mention = NonNullable<MessageView['mentions']>[number];

/**
 * `payload.mentions` as `{ jid, lid }`: the worker stores an inbound message's that way (by phone
 * number when the session knew it, with the LID); an outbound one holds the JIDs it was sent with.
 */
function mentionsView(payload: Message['payload']): Pick<MessageView, 'mentions'> {
  if (!Array.isArray(payload.mentions) || payload.mentions.length === 0) return {};
  const mentions: Mention[] = [];
  for (const entry of payload.mentions as unknown[]) {
    if (typeof entry === 'string') mentions.push({ jid: entry, lid: entry.endsWith('@lid') ? entry : null });
    else if (isMention(entry)) mentions.push({ jid: entry.jid, lid: entry.lid });
  }
  return { mentions };
}

function isMention(value: unknown): value is Mention {
  const entry = value as Partial<Mention> | null;
  return typeof entry?.jid === 'string' && (typeof entry.lid === 'string' || entry.lid === null);
}

export function messageStatusUrl(id: string): string {
  return `/api/messages/${id}`;
}
