import { type ChatChange, type ChatLastMessage, FOREVER_MUTED } from '@wagw/db';
import type { Chat, ChatUpdate, WAMessage } from '@whiskeysockets/baileys';
import { isExtractedMedia } from '../media/inbound-content.js';
import { chatJid } from '../messaging/inbound.js';
import { extractInbound } from '../messaging/inbound-extract.js';

/** Status broadcasts and newsletters are not chats (inbound.ts does not store their messages either). */
const IGNORED_CHAT = /(@broadcast|@newsletter)$/;

/** Long enough to recognise a message in a list, short enough for a row per chat. */
const PREVIEW_CHARS = 100;

type Long = number | { toNumber(): number } | null | undefined;
const toNumber = (value: Long): number => (typeof value === 'number' ? value : (value?.toNumber() ?? 0));
const fromSeconds = (value: Long): Date | undefined => {
  const s = toNumber(value);
  return s > 0 ? new Date(s * 1000) : undefined;
};

/**
 * A message as its chat's last message, or null for what is not one (protocol messages, reactions,
 * stubs without content): the preview is its text, its caption, or its type in brackets.
 */
export function toLastMessage(message: WAMessage): ChatLastMessage | null {
  const extracted = extractInbound(message.message);
  if (!extracted || extracted.type === 'reaction') return null;
  let preview: string;
  if (extracted.type === 'text') preview = String(extracted.payload.text ?? '');
  else if (isExtractedMedia(extracted) && typeof extracted.payload.caption === 'string')
    preview = extracted.payload.caption;
  else preview = `[${extracted.type}]`;
  return {
    waMessageId: message.key.id ?? null,
    preview: preview.slice(0, PREVIEW_CHARS),
    at: fromSeconds(message.messageTimestamp as Long) ?? new Date(),
    direction: message.key.fromMe ? 'outbound' : 'inbound',
  };
}

/** The newest of some messages as a last message (history chunks are not in any set order). */
function newestOf(messages: readonly WAMessage[]): ChatLastMessage | undefined {
  let newest: ChatLastMessage | undefined;
  for (const message of messages) {
    const last = toLastMessage(message);
    if (last && (!newest || last.at.getTime() > newest.at.getTime())) newest = last;
  }
  return newest;
}

/** The latest time a Date holds (ms); a mute end beyond it is "for ever". */
const MAX_DATE_MS = 8.64e15;

/**
 * WhatsApp's mute end: seconds in a history sync, milliseconds in an app-state mute action, -1 for
 * ever (which an unsigned proto field carries as 2^64-1), 0/null for not muted. Anything below
 * 10^11 is taken as seconds (10^11 ms is 1973).
 */
export function toMutedUntil(value: Long): Date | null {
  const n = toNumber(value);
  if (n === -1) return FOREVER_MUTED;
  if (n <= 0) return null;
  const ms = n < 1e11 ? n * 1000 : n;
  return ms < MAX_DATE_MS && ms < FOREVER_MUTED.getTime() ? new Date(ms) : FOREVER_MUTED;
}

/**
 * Which row a chat is: by phone-number JID when known (as messages are stored, see inbound.ts),
 * else by its id; undefined for what is not a chat.
 */
function chatAddress(
  chat: { id?: string | null; pnJid?: string | null; lidJid?: string | null },
  message?: WAMessage,
): { jid: string; lid: string | null } | undefined {
  const id = chat.id;
  if (!id || IGNORED_CHAT.test(id)) return undefined;
  const fromKey = message?.key.remoteJid ? chatJid(message.key) : undefined;
  if (id.endsWith('@lid')) {
    const pn = chat.pnJid ?? (fromKey?.jid.endsWith('@s.whatsapp.net') ? fromKey.jid : undefined);
    return pn ? { jid: pn, lid: id } : { jid: id, lid: null };
  }
  return { jid: id, lid: chat.lidJid ?? fromKey?.lid ?? null };
}

/** A whole chat (history sync, `chats.upsert`): its counts are absolute. */
export function fromChat(chat: Chat, messages: readonly WAMessage[] = []): ChatChange | undefined {
  const own = (chat.messages ?? []).flatMap((m) => (m.message ? [m.message as WAMessage] : []));
  const all = [...own, ...messages];
  const address = chatAddress(chat, all[0]);
  if (!address) return undefined;
  const change: ChatChange = { ...address, name: chat.name ?? chat.displayName ?? null };
  if (typeof chat.unreadCount === 'number') change.unread = { set: Math.max(chat.unreadCount, 0) };
  if (chat.markedAsUnread) change.unread = 'marked';
  if (typeof chat.archived === 'boolean') change.archived = chat.archived;
  if (chat.muteEndTime !== undefined) change.mutedUntil = toMutedUntil(chat.muteEndTime as Long);
  const activity =
    fromSeconds(chat.conversationTimestamp as Long) ?? fromSeconds(chat.lastMsgTimestamp as Long);
  if (activity) change.activityAt = activity;
  const last = newestOf(all);
  if (last) change.lastMessage = last;
  return change;
}

/**
 * A partial chat (`chats.update`), as Baileys means it: a positive `unreadCount` counts new messages
 * (process-message.ts adds 1 per message received), 0 is read, a negative one is marked unread.
 * Undefined when it says nothing the chat list keeps (pins, ephemeral settings, …).
 */
export function fromChatUpdate(update: ChatUpdate): ChatChange | undefined {
  const messages = (update.messages ?? []).flatMap((m) => (m.message ? [m.message as WAMessage] : []));
  const address = chatAddress(update, messages[0]);
  if (!address) return undefined;
  const change: ChatChange = { ...address };
  let said = false;
  if (update.name) {
    change.name = update.name;
    said = true;
  }
  const unread = update.unreadCount;
  if (typeof unread === 'number') {
    change.unread = unread > 0 ? { add: unread } : unread === 0 ? { set: 0 } : 'marked';
    said = true;
  }
  if (typeof update.archived === 'boolean') {
    change.archived = update.archived;
    said = true;
  }
  if ('muteEndTime' in update) {
    change.mutedUntil = toMutedUntil(update.muteEndTime as Long);
    said = true;
  }
  const last = newestOf(messages);
  if (last) {
    change.lastMessage = last;
    said = true;
  }
  const activity = fromSeconds(update.conversationTimestamp as Long);
  if (activity) {
    change.activityAt = activity;
    said = true;
  }
  return said ? change : undefined;
}
