import { z } from 'zod';

/**
 * A chat as the API lists it and `chat.updated` describes it (docs/chats.md). One shape for both,
 * so a receiver can keep its copy of the list current from the events alone.
 */
export const chatView = z.object({
  id: z
    .string()
    .describe(
      'the chat: phone-number JID, group JID, or LID when no number is known; use it in …/chats/:chatId',
    ),
  type: z.enum(['user', 'group']),
  jid: z.string(),
  lid: z.string().nullable(),
  name: z.string().nullable().describe('saved contact name or group subject, when WhatsApp sent it'),
  lastMessage: z
    .object({
      waMessageId: z.string().nullable(),
      preview: z.string().nullable().describe('its text or caption (first 100 characters), or [type]'),
      timestamp: z.string(),
      direction: z.enum(['inbound', 'outbound']),
    })
    .nullable(),
  unreadCount: z.number().int(),
  archived: z.boolean(),
  muted: z.boolean(),
  mutedUntil: z.string().nullable().describe('null when not muted or muted for ever'),
  updatedAt: z.string(),
});

export type ChatView = z.infer<typeof chatView>;

/** The stored chat fields the view is made of (the `chats` row of @wagw/db). */
export interface ChatViewSource {
  jid: string;
  lid: string | null;
  name: string | null;
  lastMessageWaId: string | null;
  lastMessagePreview: string | null;
  lastMessageAt: Date | null;
  lastMessageDirection: 'inbound' | 'outbound' | null;
  unreadCount: number;
  archived: boolean;
  mutedUntil: Date | null;
  updatedAt: Date;
}

/** Muted "for ever" is stored as the last instant of year 9999 (FOREVER_MUTED in @wagw/db). */
const FOREVER_YEAR = 9999;

export function toChatView(row: ChatViewSource, now = new Date()): ChatView {
  const forever = row.mutedUntil !== null && row.mutedUntil.getUTCFullYear() >= FOREVER_YEAR;
  const muted = row.mutedUntil !== null && row.mutedUntil.getTime() > now.getTime();
  return {
    id: row.jid,
    type: row.jid.endsWith('@g.us') ? 'group' : 'user',
    jid: row.jid,
    lid: row.lid,
    name: row.name,
    lastMessage:
      row.lastMessageAt && row.lastMessageDirection
        ? {
            waMessageId: row.lastMessageWaId,
            preview: row.lastMessagePreview,
            timestamp: row.lastMessageAt.toISOString(),
            direction: row.lastMessageDirection,
          }
        : null,
    unreadCount: row.unreadCount,
    archived: row.archived,
    muted,
    mutedUntil: muted && !forever ? (row.mutedUntil?.toISOString() ?? null) : null,
    updatedAt: row.updatedAt.toISOString(),
  };
}
