/**
 * The repository contract: async interfaces implemented once (`*.repository.ts`, over an
 * `Executor`) and verified on both dialects by one contract suite (`test/contract/`). Row types
 * (row-types.ts) are inferred from the one table description (`schema/tables.ts`). Sessions, auth
 * state, idempotency keys and API keys are here; messages, contacts and groups, chats and webhooks
 * have files of their own, re-exported here.
 */

import type { DesiredState, SessionCommand, SessionSettings, SessionStatus } from '../schema/enums.js';
import type { ChatsRepository } from './chat-types.js';
import type { ContactsRepository, GroupsRepository } from './directory-types.js';
import type { EventOutboxRepository, OutboxEvent } from './event-outbox.repository.js';
import type { MediaDownloadsRepository, MessagesRepository } from './message-types.js';
import type { ApiKey, AuthCreds, IdempotencyKey, Session, SessionEvent } from './row-types.js';
import type { DeadLettersRepository, WebhooksRepository } from './webhook-types.js';

export type * from './chat-types.js';
export type * from './directory-types.js';
export type * from './message-types.js';
export type * from './row-types.js';
export type * from './webhook-types.js';

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
