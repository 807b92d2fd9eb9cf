import type { ChatChange, ChatRow, Contact, OutboxEvent, Repositories } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { createEvent, publishEvent, type RedisConnection, toChatView, toContactView } from '@wagw/queue';
import type { Contact as BaileysContact, BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import { toContactUpsert } from '../messaging/inbound.js';
import type { SessionRunnerDeps } from '../sessions/session-runner.js';
import { fromChat, fromChatUpdate } from './chat-changes.js';

type RunnerMessaging = NonNullable<SessionRunnerDeps['messaging']>;
type HistorySet = BaileysEventMap['messaging-history.set'];
type ContactEvent = Partial<BaileysContact>[];

export interface ChatEventsDeps {
  sessionId: string;
  repos: Pick<Repositories, 'chats' | 'contacts'>;
  /** Runs a database call through the worker's database breaker. */
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Publishes an event already in the event outbox (written with the chats it announces). */
  publishStored: (event: OutboxEvent) => Promise<void>;
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
}

/** `chat.updated` of a stored chat, as the event outbox keeps it. */
function chatUpdated(sessionId: string, row: ChatRow): OutboxEvent {
  const chat = toChatView(row);
  const envelope = createEvent('chat.updated', sessionId, { chatId: chat.id, chat });
  return { id: envelope.id, sessionId, envelope: envelope as unknown as Record<string, unknown> };
}

/** What `contact.updated` compares: a contact whose view is unchanged is not announced. */
const fingerprint = (row: Contact) => JSON.stringify({ ...toContactView(row), updatedAt: undefined });

/**
 * Keeps one session's chat list (the `chats` table) current and announces it: the first-login
 * history sync fills it (silently: it is the starting point, not news), then `chats.upsert`,
 * `chats.update` (Baileys reports each message sent or received there, with its unread count) and
 * app-state changes (archive, mute, read) are stored and published as `chat.updated`, written to
 * the event outbox in the chats' own transaction (a crash after the commit still announces them).
 * Contact changes Baileys reports are published as `contact.updated` once stored (inbound.ts
 * stores them; best effort). A failure is logged, never thrown at Baileys or the session.
 */
export function createChatEvents(deps: ChatEventsDeps) {
  const { sessionId, logger, repos, db } = deps;

  async function publish(event: string, data: Record<string, unknown>): Promise<void> {
    await publishEvent(deps.redis, deps.prefix, createEvent(event, sessionId, data)).catch((err) =>
      logger.warn({ err, sessionId, event }, 'publishing a chat event failed'),
    );
  }

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

  /**
   * Around inbound.ts storing a contact event: what the contacts were before, then what they are
   * after; each one whose view changed is announced. Baileys reports the sender's push name with
   * every message, which mostly changes nothing and announces nothing.
   */
  function aroundContacts(contacts: ContactEvent, store: () => Promise<void>): Promise<void> {
    // One at a time per session: two events about one contact (Baileys reports a push name with each
    // message) read-store-read interleaved would both see the old row and announce one change twice
    // (seen on PostgreSQL, where the reads really wait).
    const turn = contactTurn.then(() => compareAround(contacts, store));
    contactTurn = turn.catch(() => undefined);
    return turn;
  }
  let contactTurn: Promise<unknown> = Promise.resolve();

  async function compareAround(contacts: ContactEvent, store: () => Promise<void>): Promise<void> {
    const addresses = [
      ...new Set(
        contacts.flatMap((c) => {
          const row = toContactUpsert(c);
          return row ? [row.jid, ...(row.lid ? [row.lid] : [])] : [];
        }),
      ),
    ];
    const read = () => db(() => repos.contacts.findByAddresses(sessionId, addresses));
    const before = await read().catch(() => undefined);
    await store();
    if (!before || addresses.length === 0) return;
    const was = new Map(before.map((row) => [row.jid, fingerprint(row)]));
    const after = await read().catch((err) => {
      logger.warn({ err, sessionId }, 'reading updated contacts failed');
      return [];
    });
    for (const row of after) {
      if (was.get(row.jid) === fingerprint(row)) continue;
      const contact = toContactView(row);
      await publish('contact.updated', { contactId: contact.id, contact });
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

  return { onHistory, onChats, onChatUpdates, aroundContacts };
}

export type ChatEvents = ReturnType<typeof createChatEvents>;

/**
 * A session's messaging with its chat list added. The contact events run through `aroundContacts`,
 * which sees the contacts before and after messaging stores them.
 */
export function withChatEvents(messaging: RunnerMessaging, chats: ChatEvents): RunnerMessaging {
  const handlers = { ...messaging.handlers };
  const storeContacts = (event: 'contacts.upsert' | 'contacts.update') => {
    const store = handlers[event];
    handlers[event] = (contacts: ContactEvent) =>
      chats.aroundContacts(contacts, async () => {
        await store?.(contacts as never);
      });
  };
  storeContacts('contacts.upsert');
  storeContacts('contacts.update');
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
