import type { ChatChange, ChatRow, OutboxEvent, Repositories } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { createEvent, toChatView } from '@wagw/queue';
import type { BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import { toContactUpsert } from '../messaging/inbound.js';
import type { SessionRunnerDeps } from '../sessions/session-runner.js';
import { fromChat, fromChatUpdate } from './chat-changes.js';

type RunnerMessaging = NonNullable<SessionRunnerDeps['messaging']>;
type HistorySet = BaileysEventMap['messaging-history.set'];

export interface ChatEventsDeps {
  sessionId: string;
  repos: Pick<Repositories, 'chats' | 'contacts'>;
  /** Runs a database call through the worker's database breaker. */
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Publishes an event already in the event outbox (written with the chats it announces). */
  publishStored: (event: OutboxEvent) => Promise<void>;
  logger: Logger;
}

/** `chat.updated` of a stored chat, as the event outbox keeps it. */
function chatUpdated(sessionId: string, row: ChatRow): OutboxEvent {
  const chat = toChatView(row);
  const envelope = createEvent('chat.updated', sessionId, { chatId: chat.id, chat });
  return { id: envelope.id, sessionId, envelope: envelope as unknown as Record<string, unknown> };
}

/**
 * Keeps one session's chat list (the `chats` table) current and announces it: the first-login
 * history sync fills it (silently: it is the starting point, not news), then `chats.upsert`,
 * `chats.update` (Baileys reports each message sent or received there, with its unread count) and
 * app-state changes (archive, mute, read) are stored and published as `chat.updated`, written to
 * the event outbox in the chats' own transaction (a crash after the commit still announces them).
 * (Contact changes are announced by inbound.ts, which stores them.) A failure is logged, never
 * thrown at Baileys or the session.
 */
export function createChatEvents(deps: ChatEventsDeps) {
  const { sessionId, logger, repos, db } = deps;

  /** A chat known only by its LID gets its phone-number row when the contacts know the pair. */
  async function byPhoneNumber(changes: ChatChange[]): Promise<ChatChange[]> {
    const lids = changes.filter((c) => c.jid.endsWith('@lid')).map((c) => c.jid);
    if (lids.length === 0) return changes;
    const known = await db(() => repos.contacts.findByAddresses(sessionId, lids));
    const pnOf = new Map(known.flatMap((c) => (c.lid && !c.jid.endsWith('@lid') ? [[c.lid, c.jid]] : [])));
    return changes.map((c) => {
      const pn = pnOf.get(c.jid);
      return pn ? { ...c, jid: pn, lid: c.jid } : c;
    });
  }

  async function apply(changes: ChatChange[], announce: boolean): Promise<void> {
    if (changes.length === 0) return;
    let events: OutboxEvent[] = [];
    try {
      const addressed = await byPhoneNumber(changes);
      const opts = announce
        ? { events: (rows: ChatRow[]) => (events = rows.map((row) => chatUpdated(sessionId, row))) }
        : undefined;
      await db(() => repos.chats.applyMany(sessionId, addressed, opts));
    } catch (err) {
      logger.warn({ err, sessionId, chats: changes.length }, 'storing chats failed');
      return;
    }
    for (const event of events) await deps.publishStored(event);
  }

  /** History chunks: chats with their newest message, and the contacts (names, push names) they carry. */
  async function onHistory(set: HistorySet): Promise<void> {
    const byChat = new Map<string, WAMessage[]>();
    for (const message of set.messages) {
      const jid = message.key.remoteJid;
      if (!jid) continue;
      const list = byChat.get(jid) ?? [];
      list.push(message);
      byChat.set(jid, list);
    }
    const changes = set.chats.flatMap((chat) => {
      const change = fromChat(chat, chat.id ? (byChat.get(chat.id) ?? []) : []);
      return change ? [change] : [];
    });
    await apply(changes, false);
    const contacts = set.contacts.flatMap((c) => {
      const row = toContactUpsert(c);
      return row ? [row] : [];
    });
    if (contacts.length > 0) {
      await db(() => repos.contacts.upsertMany(sessionId, contacts)).catch((err) =>
        logger.warn({ err, sessionId }, 'storing history contacts failed'),
      );
    }
  }

  const onChats = async (chats: Parameters<typeof fromChat>[0][]) =>
    apply(
      chats.flatMap((chat) => {
        const change = fromChat(chat);
        return change ? [change] : [];
      }),
      true,
    );

  const onChatUpdates = async (updates: BaileysEventMap['chats.update']) =>
    apply(
      updates.flatMap((update) => {
        const change = fromChatUpdate(update);
        return change ? [change] : [];
      }),
      true,
    );

  return { onHistory, onChats, onChatUpdates };
}

export type ChatEvents = ReturnType<typeof createChatEvents>;

/** A session's messaging with its chat list added. */
export function withChatEvents(messaging: RunnerMessaging, chats: ChatEvents): RunnerMessaging {
  const handlers = { ...messaging.handlers };
  const history = handlers['messaging-history.set'];
  handlers['messaging-history.set'] = async (set) => {
    await history?.(set);
    await chats.onHistory(set);
  };
  const upsert = handlers['chats.upsert'];
  handlers['chats.upsert'] = async (list) => {
    await upsert?.(list);
    await chats.onChats(list);
  };
  const update = handlers['chats.update'];
  handlers['chats.update'] = async (list) => {
    await update?.(list);
    await chats.onChatUpdates(list);
  };
  return { ...messaging, handlers };
}
