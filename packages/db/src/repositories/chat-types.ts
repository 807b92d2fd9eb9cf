/**
 * The repository contract of a session's chat list (see the `chats` table; repository-types.ts has
 * the rest). Row types are inferred from the one table description.
 */
import type { MessageDirection } from '../schema/enums.js';
import type { Tables } from '../schema/tables.js';
import type { OutboxEvent } from './event-outbox.repository.js';

export type ChatRow = Tables['chats']['$inferSelect'];

/** The newest message of a chat, as far as the gateway has seen it. */
export interface ChatLastMessage {
  waMessageId: string | null;
  /** A short text of the message (its text, a caption, or its type in brackets). */
  preview: string | null;
  at: Date;
  direction: MessageDirection;
}

/**
 * What one event says of a chat. Absent fields keep the stored value; `lid` and `name` also keep it
 * when null (an event that does not know them is no reason to forget them).
 */
export interface ChatChange {
  jid: string;
  lid?: string | null;
  name?: string | null;
  /**
   * `{ set: n }` replaces the count (history sync; 0 when read on the phone), `{ add: n }` adds to
   * it (new messages), `'marked'` makes it at least 1 (marked unread on the phone).
   */
  unread?: { set: number } | { add: number } | 'marked';
  archived?: boolean;
  /** Null: not muted. FOREVER_MUTED (enums.ts): muted for ever. */
  mutedUntil?: Date | null;
  /** Stored only when at least as new as the stored one: a late history chunk never hides a newer message. */
  lastMessage?: ChatLastMessage;
  /** The chat's own timestamp (WhatsApp's conversation timestamp); the list is ordered by the later of it and the last message. */
  activityAt?: Date;
}

/** Where a page of the chat list ends: the list is ordered by activity (newest first), then jid. */
export interface ChatPosition {
  activityAt: Date;
  jid: string;
}

export interface ChatPage {
  items: ChatRow[];
  /** Null on the last page. */
  next: ChatPosition | null;
}

export interface ChatsRepository {
  /**
   * Applies the changes in order (one transaction) and returns the stored chats they touched, in
   * the order first touched. A chat not stored yet is added (unread 0, not archived, not muted
   * unless the change says otherwise). `events` builds the events announcing the stored rows; they
   * are written to the event outbox in the same transaction, so a crash after the commit still
   * announces the change (the outbox relay publishes it).
   */
  applyMany(
    sessionId: string,
    changes: readonly ChatChange[],
    opts?: { events?: (rows: ChatRow[]) => OutboxEvent[] },
  ): Promise<ChatRow[]>;
  get(sessionId: string, jid: string): Promise<ChatRow | null>;
  /** The chats whose jid or lid is one of `addresses`. */
  findByAddresses(sessionId: string, addresses: readonly string[]): Promise<ChatRow[]>;
  /** Most recent activity first, then by jid; `after` is the previous page's `next`. */
  listPage(
    sessionId: string,
    page: { limit: number; after?: ChatPosition | null; archived?: boolean },
  ): Promise<ChatPage>;
}
