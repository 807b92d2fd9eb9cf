/**
 * The repository contract: async interfaces implemented once (`*.repository.ts`, over an
 * `Executor`) and verified on both dialects by one contract suite (`test/contract/`). Row types
 * are inferred from the one table description (`schema/tables.ts`).
 */

import type {
  DesiredState,
  MessageDirection,
  MessageStatus,
  SessionCommand,
  SessionSettings,
  SessionStatus,
} from '../schema/enums.js';
import type { Tables } from '../schema/tables.js';
import type { ChatsRepository } from './chat-types.js';
import type { EventOutboxRepository, OutboxEvent } from './event-outbox.repository.js';
import type { DeadLettersRepository, WebhooksRepository } from './webhook-types.js';

export type * from './chat-types.js';
export type * from './webhook-types.js';

export type Session = Tables['sessions']['$inferSelect'];
export type SessionEvent = Tables['sessionEvents']['$inferSelect'];
export type AuthCreds = Tables['authCreds']['$inferSelect'];
export type Message = Tables['messages']['$inferSelect'];
export type MediaDownload = Tables['mediaDownloads']['$inferSelect'];
export type Contact = Tables['contacts']['$inferSelect'];
export type GroupRow = Tables['groups']['$inferSelect'];
export type ApiKey = Tables['apiKeys']['$inferSelect'];
export type IdempotencyKey = Tables['idempotencyKeys']['$inferSelect'];

export interface NewSession {
  /** Default: a new sortable id (see `newId`). */
  id?: string;
  name: string;
  /** Default: 'stopped'. */
  desiredState?: DesiredState;
  /** Default: {}. */
  settings?: SessionSettings;
}

export interface StatusTransition {
  to: SessionStatus;
  reason?: string | null;
  disconnectCode?: number | null;
  workerId?: string | null;
  /** Compare-and-set: only transition when the current status is (one of) this. Default: any. */
  expectedFrom?: SessionStatus | readonly SessionStatus[];
  /**
   * Compare-and-set on ownership: only transition while the row still records this owner and lease
   * generation, so a worker writing about a session nobody owns never overwrites one just claimed
   * (a claim records a newer generation). Default: any owner.
   */
  expectedOwner?: { workerId: string | null; generation: number };
  /**
   * The event that announces this change (`session.status`), built from the row after and the
   * status before, and written to the event outbox in the transition's transaction: a process that
   * dies after the commit, or a Redis outage, delays the announcement but never loses it.
   * Returning undefined stores none (the caller only wanted the status before).
   */
  event?: (updated: Session, previous: SessionStatus) => OutboxEvent | undefined;
}

/** What outbox reconciliation reads of a message: enough to enqueue its send job again. */
export type OutboxRow = Pick<Message, 'id' | 'sessionId' | 'batchId'>;

export interface SessionsRepository {
  /** Inserts the session (status 'stopped') and its first session_events row. Throws on a live duplicate name. */
  create(input: NewSession): Promise<Session>;
  /** Soft-deleted sessions are hidden unless `includeDeleted` (default false). */
  getById(id: string, opts?: { includeDeleted?: boolean }): Promise<Session | null>;
  /** Only live (not soft-deleted) sessions: names are reusable after deletion. */
  getByName(name: string): Promise<Session | null>;
  /** Ordered by id (creation order). Default: all statuses, live sessions only. */
  list(filter?: {
    status?: SessionStatus | readonly SessionStatus[];
    includeDeleted?: boolean;
  }): Promise<Session[]>;
  updateDesired(id: string, desired: DesiredState): Promise<Session | null>;
  /**
   * Updates status (+reason, disconnect code, status_changed_at) and appends a session_events row
   * in one transaction. `reconnect_attempts` is incremented on 'reconnecting' and reset on 'open'.
   * Returns null when the session does not exist or `expectedFrom` did not match.
   */
  transitionStatus(id: string, transition: StatusTransition): Promise<Session | null>;
  /**
   * Records the lease owner and its fencing generation. Refused (returns null) when a newer
   * generation is already recorded, so a stale worker cannot overwrite its successor, or when the
   * same generation is recorded for another worker (null, a release, is always taken at it).
   */
  setOwner(id: string, workerId: string | null, generation: number): Promise<Session | null>;
  /**
   * Sets the desired state and, when given, a one-shot command for the owner (restart, logout),
   * stamped with the time so the owner can clear exactly the command it carried out.
   */
  requestCommand(
    id: string,
    request: { desired: DesiredState; command?: SessionCommand },
  ): Promise<Session | null>;
  /** Clears the pending command only if it is still the one stamped `at` (a newer one stays). */
  clearCommand(id: string, at: Date): Promise<boolean>;
  /** Records who the session is logged in as (from Baileys' creds.me). */
  setIdentity(
    id: string,
    identity: { meJid: string | null; meLid: string | null; pushName: string | null },
  ): Promise<void>;
  /** Live sessions per status; every status is present (0 when none). */
  countByStatus(): Promise<Record<SessionStatus, number>>;
  /**
   * Live sessions that should run but wait for a worker with room: desired `running`, status
   * `stopped` with WAITING_FOR_CAPACITY_REASON.
   */
  countWaitingForCapacity(): Promise<number>;
  /** Sets deleted_at; returns false when absent or already deleted. */
  softDelete(id: string): Promise<boolean>;
  /** Live sessions in one of `statuses` whose status_changed_at is older than `olderThan`. */
  listStale(filter: { statuses: readonly SessionStatus[]; olderThan: Date }): Promise<Session[]>;
}

export interface SessionEventsRepository {
  /** Newest first. Default limit: 100. */
  listBySession(sessionId: string, opts?: { limit?: number }): Promise<SessionEvent[]>;
}

export interface AuthKeyWrite {
  type: string;
  id: string;
  /** BufferJSON text; null deletes the key. */
  value: string | null;
}

/**
 * The lease generation a session's owner writes its auth state under. A write that carries one is
 * refused (nothing written, `false`) once the session row records a newer generation: another
 * worker claimed the session, and its Signal state must not be overwritten by the old owner's.
 */
export interface OwnerFence {
  generation: number;
}

export interface AuthStateRepository {
  getCreds(sessionId: string): Promise<AuthCreds | null>;
  /** Upserts the creds text; quarantine fields are left as they are. False: refused by `fence`. */
  saveCreds(sessionId: string, credsText: string, fence?: OwnerFence): Promise<boolean>;
  /** Only ids that exist appear in the result. */
  getKeys(sessionId: string, type: string, ids: readonly string[]): Promise<Record<string, string>>;
  /**
   * Upserts and deletes (value null) in ONE transaction; the last write of a (type, id) wins.
   * False: refused by `fence`, nothing written.
   */
  setKeys(sessionId: string, writes: readonly AuthKeyWrite[], fence?: OwnerFence): Promise<boolean>;
  /** Deletes creds and all keys in one transaction (logout / re-pair). */
  clear(sessionId: string): Promise<void>;
  /** Marks the creds unusable; returns false when there are no creds. */
  quarantine(sessionId: string, reason: string): Promise<boolean>;
}

export interface NewMessage {
  /** Default: a new sortable id. */
  id?: string;
  sessionId: string;
  direction: MessageDirection;
  waMessageId?: string | null;
  remoteJid: string;
  type: string;
  payload: Record<string, unknown>;
  /** Default: 'queued' for outbound, 'received' for inbound. */
  status?: MessageStatus;
  batchId?: string | null;
  /** The media store id of the message's file, when it has one and it is known. */
  mediaId?: string | null;
  /** Default: now. */
  createdAt?: Date;
}

export interface MessageListQuery {
  sessionId: string;
  status?: MessageStatus;
  direction?: MessageDirection;
  /** created_at strictly before / after. */
  before?: Date;
  after?: Date;
  /** Page size, clamped to 1..1000. */
  limit: number;
  /** `nextCursor` from the previous page. */
  cursor?: string | null;
  /** Only messages of these chats (remote JIDs: a chat's phone-number JID and its LID). */
  remoteJids?: readonly string[];
}

export interface MessagePage {
  /** Newest first (by id, i.e. insertion order). */
  items: Message[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/**
 * The response an Idempotency-Key claim (`idempotencyKeys.begin`) answers with, stored in the same
 * transaction as the rows it stands for: a replica killed after the commit leaves a completed key
 * (a retry replays the response), one killed before leaves no rows (a retry does the work once).
 * The claim is completed only while still `in_progress` under `keyId`; a claim taken over meanwhile
 * (judged abandoned) makes the whole transaction fail with IdempotencyClaimLostError.
 */
export interface IdempotencyCommit {
  keyId: string;
  status: number;
  body: unknown;
}

export interface MessagesRepository {
  insert(input: NewMessage, options?: { idempotency?: IdempotencyCommit }): Promise<Message>;
  /** One transaction, inserted in chunks (SQLite's bound-variable limit; pg round trips). */
  insertMany(
    inputs: readonly NewMessage[],
    options?: { idempotency?: IdempotencyCommit },
  ): Promise<Message[]>;
  getById(id: string): Promise<Message | null>;
  /** The message with this WhatsApp id in this session (ids are unique per session). */
  getByWaId(sessionId: string, waMessageId: string): Promise<Message | null>;
  /**
   * Sets status (+reason) and the matching timestamp, keeping the first one: sent → sent_at,
   * delivered → delivered_at, read/played → read_at. 'sending' increments attempts.
   * With `expectedFrom` it is a compare-and-set: null unless the current status is one of them
   * (e.g. a worker claims `queued → sending` so a row cancelled meanwhile is never sent).
   */
  updateStatus(
    id: string,
    status: MessageStatus,
    reason?: string | null,
    opts?: {
      expectedFrom?: MessageStatus | readonly MessageStatus[];
      /** The event announcing the change, written to the event outbox in the same transaction. */
      event?: (updated: Message) => OutboxEvent;
      /**
       * For a change that takes the message out of `queued`/`sending`: when it was the last of its
       * batch to leave, the batch's `batch.completed` event, built from the batch's counts and
       * written to the outbox in the same transaction (exactly once per batch, see settleBatch).
       */
      batchEvent?: (counts: BatchCounts) => OutboxEvent;
    },
  ): Promise<Message | null>;
  listBySession(query: MessageListQuery): Promise<MessagePage>;
  /** Returns true when new, false when (session_id, wa_message_id) was already stored. */
  insertInboundIgnoringDuplicates(
    input: NewMessage & { waMessageId: string },
    /** The event announcing a new row, written to the event outbox in the same transaction. */
    opts?: { event?: OutboxEvent },
  ): Promise<boolean>;
  /** Every status is present (0 when none). Default: all sessions. */
  countByStatus(sessionId?: string): Promise<Record<MessageStatus, number>>;
  /** Counts of one bulk batch; null when no message carries this batch id. */
  countByBatch(batchId: string): Promise<BatchCounts | null>;
  /**
   * Compare-and-set in one statement: marks the given rows (or every row of the batch) that are
   * still `queued` as `cancelled`; rows a worker already took (`sending`, ...) are left alone.
   * Returns the ids that were cancelled.
   */
  cancelQueued(
    target: { ids: readonly string[] } | { batchId: string },
    /** With a batch target: the batch's `batch.completed` when the cancel settled it (as updateStatus). */
    opts?: { batchEvent?: (counts: BatchCounts) => OutboxEvent },
  ): Promise<string[]>;
  /**
   * Outbound rows still `queued`, or stuck in `sending`, last touched before `olderThan`, oldest id
   * first, for outbox reconciliation (a worker that died or lost Redis mid-send leaves `sending`;
   * resending is safe because the WhatsApp id is derived from the row id). Pages by id: pass the
   * last id seen as `afterId`. Only the columns a job needs (no payload: a backlog of large
   * messages would otherwise be read in full on every reconciliation run).
   */
  listQueuedBefore(olderThan: Date, limit: number, afterId?: string | null): Promise<OutboxRow[]>;
  /**
   * Replaces the payload and media id of a message: what a worker writes once an inbound file is
   * downloaded (or has failed for good), or once an outbound URL was fetched into the store.
   */
  updateMedia(id: string, payload: Record<string, unknown>, mediaId: string | null): Promise<Message | null>;
  /**
   * Whether media retention must keep this stored file: a `queued` or `sending` message still needs
   * it, or a message created at or after `since` uses it (the retention period runs from the last
   * message that used the file, not from when its bytes were first stored).
   */
  isMediaInUse(mediaId: string, since: Date): Promise<boolean>;
  /**
   * Messages per minute in [since, until): outbound ones by when they were sent (sent_at), inbound
   * ones by created_at. Only minutes with any message, oldest first; `minute` is its first instant.
   */
  countPerMinute(since: Date, until: Date): Promise<MessageMinute[]>;
  /** A session's outbound messages sent at or after `since`, and its inbound ones created since. */
  countSince(sessionId: string, since: Date): Promise<{ sent: number; received: number }>;
}

/** One minute of `countPerMinute`. */
export interface MessageMinute {
  minute: Date;
  sent: number;
  received: number;
}

/**
 * Inbound media still to download (see the `media_downloads` table): written with its message,
 * read back by whichever worker owns the session, deleted once the file is settled and announced.
 */
export interface MediaDownloadsRepository {
  /**
   * Inserts an inbound message and its pending download in one transaction. A message already
   * stored under (session, WhatsApp id) is left as it is and nothing is written: returns false,
   * like `messages.insertInboundIgnoringDuplicates`.
   */
  insertWithMessage(
    message: NewMessage & { waMessageId: string },
    descriptor: Record<string, unknown>,
  ): Promise<boolean>;
  /** A session's pending downloads, oldest message first; page with the last `messageId` seen. */
  listBySession(
    sessionId: string,
    options: { limit: number; afterMessageId?: string | null },
  ): Promise<MediaDownload[]>;
  /** Removes the pending download; false when it was already gone. */
  delete(messageId: string): Promise<boolean>;
}

export interface BatchCounts {
  batchId: string;
  /** A batch is created by one bulk request on one session. */
  sessionId: string;
  total: number;
  /** Every status is present (0 when none). */
  counts: Record<MessageStatus, number>;
}

export interface NewIdempotencyKey {
  /** Who sent the key: an API key id, or 'admin'. */
  scope: string;
  key: string;
  /** Fingerprint of method, path and canonical body. */
  requestHash: string;
  /** Default: now. */
  createdAt?: Date;
  expiresAt: Date;
}

export interface IdempotencyKeysRepository {
  /**
   * Claims (scope, key) with an `in_progress` row. Returns the row, or null when the key is already
   * taken (the unique index decides between concurrent claims; look the holder up with `get`).
   */
  begin(input: NewIdempotencyKey): Promise<IdempotencyKey | null>;
  get(scope: string, key: string): Promise<IdempotencyKey | null>;
  /** Stores the response of an `in_progress` row (by row id); false when it is gone or completed. */
  complete(id: string, response: { status: number; body: unknown }): Promise<boolean>;
  /**
   * Deletes the row with this id. Ids are never reused, so this is a compare-and-set: a row that
   * was replaced meanwhile (a new claim of the same key) is untouched. False when already gone.
   */
  delete(id: string): Promise<boolean>;
  /**
   * Removes rows whose `expires_at` is before `now`, at most `limit` of them when given (one
   * bounded statement: the retention task deletes in batches); returns how many.
   */
  deleteExpired(now: Date, limit?: number): Promise<number>;
}

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

export interface NewApiKey {
  name: string;
  /** sha256 hex of the key (see `hashApiKey`); the key itself is never stored. */
  keyHash: string;
  prefix: string;
  /** Null or absent = admin key. */
  sessionId?: string | null;
}

export interface ApiKeysRepository {
  create(input: NewApiKey): Promise<ApiKey>;
  /** Revoked keys are not returned. */
  findByHash(keyHash: string): Promise<ApiKey | null>;
  /** The key with this id unless it is revoked (a dashboard cookie names its key by id). */
  findActiveById(id: string): Promise<ApiKey | null>;
  /** Every key, revoked ones included (revokedAt set), oldest first; optionally one session's only. */
  list(filter?: { sessionId?: string }): Promise<ApiKey[]>;
  /** Sets last_used_at (default: now). */
  touch(id: string, at?: Date): Promise<void>;
  /** Sets revoked_at; returns false when absent or already revoked. */
  revoke(id: string): Promise<boolean>;
}

export interface Repositories {
  sessions: SessionsRepository;
  sessionEvents: SessionEventsRepository;
  authState: AuthStateRepository;
  messages: MessagesRepository;
  mediaDownloads: MediaDownloadsRepository;
  contacts: ContactsRepository;
  groups: GroupsRepository;
  chats: ChatsRepository;
  webhooks: WebhooksRepository;
  deadLetters: DeadLettersRepository;
  apiKeys: ApiKeysRepository;
  idempotencyKeys: IdempotencyKeysRepository;
  eventOutbox: EventOutboxRepository;
}

export type { EventOutboxRepository, OutboxEvent } from './event-outbox.repository.js';
