/**
 * The repository contract of webhooks and their dead letters (see repository-types.ts for the rest).
 * Row types are inferred from the one table description, like every other row type.
 */
import type { DeadLetterStatus } from '../schema/enums.js';
import type { Tables } from '../schema/tables.js';

export type Webhook = Tables['webhooks']['$inferSelect'];
export type WebhookDeadLetter = Tables['webhookDeadLetters']['$inferSelect'];

export interface NewWebhook {
  /** Null or absent = global (all sessions). */
  sessionId?: string | null;
  url: string;
  events: string[];
  /** Default: {}. */
  headers?: Record<string, string>;
  secret?: string | null;
  /** Default: true. */
  enabled?: boolean;
}

export interface WebhookPatch {
  url?: string;
  events?: string[];
  headers?: Record<string, string>;
  secret?: string | null;
  enabled?: boolean;
}

/** What `createWithinCap` did: created the webhook, or refused because the session already has `max`. */
export type CappedWebhookCreate = { created: Webhook } | { full: { count: number } };

export interface WebhooksRepository {
  create(input: NewWebhook): Promise<Webhook>;
  /**
   * Creates a session's webhook unless the session already has `max` of its own. The count and the
   * insert are one transaction holding the session row's lock (SELECT … FOR UPDATE on PostgreSQL;
   * SQLite's BEGIN IMMEDIATE excludes every other writer), so API replicas creating at once can
   * never pass the cap together, which a count-then-insert by the caller allowed.
   */
  createWithinCap(input: NewWebhook & { sessionId: string }, max: number): Promise<CappedWebhookCreate>;
  getById(id: string): Promise<Webhook | null>;
  /**
   * Oldest first. `sessionId` a string: that session's own webhooks only; null: global ones only;
   * absent: all.
   */
  list(filter?: { sessionId?: string | null }): Promise<Webhook[]>;
  /** The session's own webhooks plus global ones; enabled only unless `includeDisabled` (default false). */
  listForSession(sessionId: string, opts?: { includeDisabled?: boolean }): Promise<Webhook[]>;
  /** Global (session_id null) enabled webhooks: the targets of events that belong to no session. */
  listGlobal(opts?: { includeDisabled?: boolean }): Promise<Webhook[]>;
  /** Sets the given fields and updated_at; null when absent. */
  update(id: string, patch: WebhookPatch): Promise<Webhook | null>;
  /** False when absent. Its dead letters are deleted with it (same transaction). */
  delete(id: string): Promise<boolean>;
}

/** A delivery that exhausted its retries (or was refused for good), kept until replayed or discarded. */
export interface DeadLetterInput {
  /** A webhooks row id, or `config` for the global webhook from configuration (not a foreign key). */
  webhookId: string;
  sessionId: string | null;
  eventId: string;
  /** Event name, e.g. `message.received` (for listing and filtering). */
  event: string;
  /** The whole event envelope as delivered. */
  payload: Record<string, unknown>;
  /** Delivery attempts made, all runs included. */
  attempts: number;
  /** HTTP status of the last attempt; null when no response (timeout, refused, DNS). */
  lastStatus: number | null;
  /** First bytes of the last response body (bounded by the caller). */
  lastResponse: string | null;
  /** Why the last attempt failed, e.g. `timeout after 10000 ms`, `HTTP 400`. */
  lastError: string | null;
}

export interface DeadLetterQuery {
  webhookId?: string;
  sessionId?: string;
  status?: DeadLetterStatus;
  /** Page size, clamped to 1..1000. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
}

export interface DeadLettersRepository {
  /**
   * Inserts, or when (event_id, webhook_id) already has a row (a replay that failed again) updates
   * it: attempts added, last_* replaced, status back to `dead`. Returns the row after.
   */
  record(input: DeadLetterInput): Promise<WebhookDeadLetter>;
  getById(id: string): Promise<WebhookDeadLetter | null>;
  /** Newest first (by id). */
  list(query: DeadLetterQuery): Promise<{ items: WebhookDeadLetter[]; nextCursor: string | null }>;
  /**
   * Compare-and-set `dead` → `replaying` and replay_count + 1, for one row (by id) or every `dead`
   * row of a webhook. Returns the rows it changed (after the change); rows already replaying are
   * not returned, so a double click replays once.
   */
  markReplaying(target: { id: string } | { webhookId: string }): Promise<WebhookDeadLetter[]>;
  /** `replaying` → `dead` again (the replay could not be enqueued); false when not replaying. */
  revertReplaying(id: string): Promise<boolean>;
  /** Removes the row of (eventId, webhookId), e.g. once a replay was delivered; false when none. */
  resolve(eventId: string, webhookId: string): Promise<boolean>;
  /** Discards one row (by id) or every row of a webhook; returns how many were removed. */
  discard(target: { id: string } | { webhookId: string }): Promise<number>;
  /**
   * Deletes at most `limit` rows (any status) last changed (`updated_at`: the last failure or replay)
   * before `cutoff`, oldest first; returns how many. The retention task calls it in batches.
   */
  deleteOlderThan(cutoff: Date, limit: number): Promise<number>;
  /** Rows per status of a webhook, or of all webhooks (every status present, 0 when none). */
  countByStatus(webhookId?: string): Promise<Record<DeadLetterStatus, number>>;
}
