import { type ContactUpsert, newId, type OutboxEvent, type Repositories } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { BufferJSON, type Contact, type WAMessage } from '@whiskeysockets/baileys';
import { contactUpdatedEvents } from '../contacts/contact-events.js';
import { isExtractedMedia } from '../media/inbound-content.js';
import type { InboundMedia } from '../media/inbound-media.js';
import type { LidPair } from '../sessions/lid-mapping-keys.js';
import { type SpoolWrite, shouldSpool } from './db-spool.js';
import { extractInbound } from './inbound-extract.js';
import { type MentionAddress, mentionAddresses, mentionedJids } from './inbound-mentions.js';
import type { MessageEvents } from './message-events.js';
import { createYielder } from './yield.js';

export interface InboundDeps {
  sessionId: string;
  logger: Logger;
  repos: Pick<Repositories, 'messages' | 'contacts'>;
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  events: MessageEvents;
  /** Media messages: stored with their pending download, announced once the file is settled. */
  media: Pick<InboundMedia, 'store'>;
  /** MEDIA_MAX_BYTES, the cap of received files (each type has its own cap below it). */
  mediaMaxBytes: number;
  /** Called for each sender seen, to look up its profile picture in the background. */
  onSender?: (jid: string) => void;
  /**
   * Keeps a message the database could not take (db-spool.ts), to be stored by `replay` later:
   * WhatsApp does not deliver a message again once Baileys acknowledged it. Without it, such a
   * message is logged and lost.
   */
  spool?: (write: SpoolWrite) => Promise<boolean>;
  /**
   * What the session's key store knows of these users' PN↔LID pairs, to show mentions by phone
   * number with their LID. Absent or failing: mentions are stored as WhatsApp named them.
   */
  lidPairs?: (jids: string[]) => Promise<LidPair[]>;
}

/** protobufjs Longs (timestamps, file lengths) become numbers: a spooled message is plain JSON. */
function spoolReplacer(this: unknown, key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && 'low' in value && 'high' in value) {
    const long = value as { toNumber?: () => number };
    if (typeof long.toNumber === 'function') return long.toNumber();
  }
  return BufferJSON.replacer(key, value);
}

/** A received message as the spool keeps it (BufferJSON, so its binary fields round-trip). */
const encodeInbound = (message: WAMessage): string => JSON.stringify(message, spoolReplacer);
const decodeInbound = (encoded: string): WAMessage => JSON.parse(encoded, BufferJSON.reviver);

/** Chats inbound messages are not stored for: status broadcasts and newsletters are not chats. */
const IGNORED_CHAT = /(@broadcast|@newsletter)$/;

/** The chat a message belongs to, by phone number when Baileys knows it (outbound rows use PN jids). */
export function chatJid(key: WAMessage['key']): { jid: string; lid: string | null } {
  const remote = key.remoteJid ?? '';
  const alt = key.remoteJidAlt ?? null;
  if (remote.endsWith('@lid') && alt?.endsWith('@s.whatsapp.net')) return { jid: alt, lid: remote };
  return { jid: remote, lid: alt?.endsWith('@lid') ? alt : null };
}

/**
 * Inbound messages and contacts. Both `notify` (live) and `append` (replayed after a reconnect)
 * upserts are stored, deduplicated on (session, WhatsApp id) by the database, so a replay or a
 * re-delivery is stored once. Each message is handled in isolation: one that fails to decode or
 * to store is logged and skipped, and the rest of the batch goes on.
 */
export function createInbound(deps: InboundDeps) {
  const { sessionId, logger } = deps;

  async function mentionsOf(content: WAMessage['message']): Promise<MentionAddress[]> {
    const jids = mentionedJids(content);
    if (jids.length === 0) return [];
    const pairs = await deps.lidPairs?.(jids).catch((err) => {
      logger.debug({ err, sessionId }, 'reading LID mappings of mentions failed');
      return [];
    });
    return mentionAddresses(jids, pairs ?? []);
  }

  /** Stores one message; the event to publish once it is, if it was new and is not media. */
  async function storeOne(
    message: WAMessage,
    senders: Map<string, ContactUpsert>,
  ): Promise<OutboxEvent | undefined> {
    const { key } = message;
    if (key.fromMe || !key.id || !key.remoteJid || IGNORED_CHAT.test(key.remoteJid)) return;
    // A stub without content (e.g. CIPHERTEXT: could not decrypt yet) is not stored: Baileys asks the
    // sender to retry, and the retried copy arrives under the same id, which must not be taken.
    if (!message.message) return;
    const extracted = extractInbound(message.message, { mediaMaxBytes: deps.mediaMaxBytes });
    if (!extracted) return;
    const chat = chatJid(key);
    const timestamp = Number(message.messageTimestamp ?? 0);
    // In a group the chat is the group and the sender is the participant who wrote.
    const group = chat.jid.endsWith('@g.us');
    const sender = group ? chatJid({ remoteJid: key.participant, remoteJidAlt: key.participantAlt }) : chat;
    const from = { jid: sender.jid, lid: sender.lid, pushName: message.pushName ?? null };
    const mentions = await mentionsOf(message.message);
    const row = {
      id: newId(),
      sessionId,
      direction: 'inbound' as const,
      waMessageId: key.id,
      remoteJid: chat.jid,
      type: extracted.type,
      payload: {
        ...extracted.payload,
        from,
        ...(group ? { chatId: chat.jid, author: sender.jid } : {}),
        ...(mentions.length > 0 ? { mentions } : {}),
      },
      createdAt: timestamp > 0 ? new Date(timestamp * 1000) : new Date(),
    };
    if (sender.jid && !senders.has(sender.jid))
      senders.set(sender.jid, { jid: sender.jid, lid: sender.lid, notify: message.pushName ?? null });
    if (isExtractedMedia(extracted)) {
      // Announced by the media part once its file is settled; the key names it in a re-upload request.
      const participant = key.participant ? { participant: key.participant } : {};
      await deps.media.store(row, extracted, { id: key.id, remoteJid: key.remoteJid, ...participant });
      return;
    }
    // Stored with its event (event outbox): published next, or by the relay after a crash or outage.
    const event = deps.events.receivedEvent(sessionId, row);
    const inserted = await deps.db(() => deps.repos.messages.insertInboundIgnoringDuplicates(row, { event }));
    return inserted ? event : undefined;
  }

  /** Stores each message, in order; one the database cannot take goes to the spool. */
  async function storeAll(
    messages: WAMessage[],
    senders: Map<string, ContactUpsert>,
  ): Promise<OutboxEvent[]> {
    const stored: OutboxEvent[] = [];
    const maybeYield = createYielder();
    for (const message of messages) {
      await maybeYield();
      const event = await storeOne(message, senders).catch(async (err) => {
        if (deps.spool && shouldSpool(err)) {
          await deps.spool({ kind: 'inbound', message: encodeInbound(message) });
          return;
        }
        logger.warn({ err, sessionId, waMessageId: message.key?.id }, 'inbound message skipped');
      });
      if (event) stored.push(event);
    }
    return stored;
  }

  /** The senders stored, and their pictures looked up. */
  async function storeSenders(senders: Map<string, ContactUpsert>): Promise<void> {
    await upsertContacts([...senders.values()]).catch((err) =>
      logger.warn({ err, sessionId }, 'storing message senders failed'),
    );
    for (const jid of senders.keys()) deps.onSender?.(jid);
  }

  // Hand-overs' senders, stored one batch after another.
  let senderStores: Promise<void> = Promise.resolve();

  let contactTurn: Promise<unknown> = Promise.resolve();
  const contactEvents = contactUpdatedEvents(sessionId);

  async function storeAnnounced(contacts: Partial<Contact>[]): Promise<void> {
    const rows = contacts.flatMap((contact) => {
      const row = toContactUpsert(contact);
      return row ? [row] : [];
    });
    if (rows.length === 0) return;
    const events = await deps.db(() =>
      deps.repos.contacts.upsertMany(sessionId, rows, { events: contactEvents }),
    );
    for (const event of events) await deps.events.publishStored(event);
  }

  async function upsertContacts(contacts: ContactUpsert[]): Promise<void> {
    if (contacts.length === 0) return;
    await deps.db(() => deps.repos.contacts.upsertMany(sessionId, contacts));
  }

  return {
    async onMessages(messages: WAMessage[]): Promise<void> {
      const senders = new Map<string, ContactUpsert>();
      for (const event of await storeAll(messages, senders)) await deps.events.publishStored(event);
      await storeSenders(senders);
    },

    /**
     * As `onMessages`, but resolves once the messages are stored (or spooled) and their events
     * published: storing their senders goes on after. For messages Baileys waits on before it
     * handles the next (sessions/message-turns.ts).
     */
    async handOver(messages: WAMessage[]): Promise<void> {
      const senders = new Map<string, ContactUpsert>();
      for (const event of await storeAll(messages, senders)) await deps.events.publishStored(event);
      senderStores = senderStores.then(() => storeSenders(senders));
    },

    /**
     * A spooled message, stored as if it had just arrived (same store, so it is stored and announced
     * once); throws what the database threw, so the spool keeps it while the database is down.
     */
    async replay(encoded: string): Promise<void> {
      const senders = new Map<string, ContactUpsert>();
      const event = await storeOne(decodeInbound(encoded), senders);
      if (event) await deps.events.publishStored(event);
      await upsertContacts([...senders.values()]).catch((err) =>
        logger.warn({ err, sessionId }, 'storing message senders failed'),
      );
    },

    /**
     * `contacts.upsert` and `contacts.update` (partial): null/absent fields keep what is stored, and
     * each contact whose view changed is announced as `contact.updated`, written to the event outbox
     * with the change. One at a time per session: two events about one contact read-store-read
     * interleaved would both see the old row and announce one change twice.
     */
    onContacts(contacts: Partial<Contact>[]): Promise<void> {
      const turn = contactTurn.then(() => storeAnnounced(contacts));
      contactTurn = turn.catch(() => undefined);
      return turn;
    },
  };
}

/** Baileys' contact → our row: keyed by the PN jid when known; `imgUrl: 'changed'` is not a URL. */
export function toContactUpsert(contact: Partial<Contact>): ContactUpsert | null {
  const id = contact.id;
  if (!id) return null;
  const pn = id.endsWith('@lid') ? (contact.phoneNumber ?? null) : id;
  const jid = pn ?? id;
  const lid = id.endsWith('@lid') ? id : (contact.lid ?? null);
  const imgUrl = contact.imgUrl && contact.imgUrl !== 'changed' ? contact.imgUrl : null;
  return {
    jid,
    lid,
    name: contact.name ?? contact.verifiedName ?? null,
    notify: contact.notify ?? null,
    imgUrl,
  };
}
