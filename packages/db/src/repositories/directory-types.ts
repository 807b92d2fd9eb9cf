/** The repository contract of a session's contacts and groups (repository-types.ts has the rest). */
import type { OutboxEvent } from './event-outbox.repository.js';
import type { Contact, GroupRow } from './row-types.js';

export interface ContactUpsert {
  jid: string;
  lid?: string | null;
  name?: string | null;
  notify?: string | null;
  imgUrl?: string | null;
}

export interface ContactsRepository {
  /**
   * Null/absent fields keep the stored value: Baileys sends partial contact updates. `events` is
   * given the rows those contacts name (by jid or lid) as they were before and are after, read in
   * the write's transaction; what it returns is written to the event outbox in that transaction and
   * returned (a crash after the commit still announces the change).
   */
  upsertMany(
    sessionId: string,
    contacts: readonly ContactUpsert[],
    opts?: { events?: (before: Contact[], after: Contact[]) => OutboxEvent[] },
  ): Promise<OutboxEvent[]>;
  listBySession(sessionId: string): Promise<Contact[]>;
  /**
   * Records phone-number ↔ LID pairs (`…@s.whatsapp.net`, `…@lid`): the PN row gets the LID, and a
   * row known so far only by that LID is folded into it (its name, notify and picture kept where
   * the PN row has none), so one person is one row.
   */
  recordLidMappings(sessionId: string, pairs: ReadonlyArray<{ pn: string; lid: string }>): Promise<void>;
  /** A page of the session's contacts ordered by jid; `cursor` is the previous page's `nextCursor`. */
  listPage(sessionId: string, page: { limit: number; cursor?: string | null }): Promise<ContactPage>;
  /** The contacts whose jid or lid is one of `addresses` (PN or LID JIDs). */
  findByAddresses(sessionId: string, addresses: readonly string[]): Promise<Contact[]>;
}

export interface GroupUpsert {
  jid: string;
  subject: string;
  metadata: Record<string, unknown>;
}

/** The session's groups as last seen (see the `groups` table). */
export interface GroupsRepository {
  /**
   * Replaces each group's stored metadata (a group not yet stored is added); `events` are written to
   * the event outbox in the same transaction.
   */
  upsertMany(
    sessionId: string,
    groups: readonly GroupUpsert[],
    opts?: { events?: readonly OutboxEvent[] },
  ): Promise<void>;
  get(sessionId: string, jid: string): Promise<GroupRow | null>;
  /** Ordered by jid. */
  listBySession(sessionId: string): Promise<GroupRow[]>;
  /** Returns false when it was not stored; `events` are written to the event outbox either way, in its transaction. */
  remove(sessionId: string, jid: string, opts?: { events?: readonly OutboxEvent[] }): Promise<boolean>;
}

export interface ContactPage {
  items: Contact[];
  /** Null on the last page. */
  nextCursor: string | null;
}
