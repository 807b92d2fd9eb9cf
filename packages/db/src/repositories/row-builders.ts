/**
 * Dialect-independent pieces of the repositories: defaults, row construction, batching.
 * Rows are built completely in the app (ids, timestamps, defaults) so both dialects store exactly
 * the same values and inserts never need `RETURNING` to learn what was written.
 */
import { createHash } from 'node:crypto';
import { newId } from '../ids.js';
import {
  DEAD_LETTER_STATUSES,
  type DeadLetterStatus,
  MESSAGE_STATUSES,
  type MessageStatus,
  SESSION_STATUSES,
  type SessionStatus,
} from '../schema/enums.js';
import type {
  AuthKeyWrite,
  BatchCounts,
  ContactUpsert,
  DeadLetterInput,
  IdempotencyKey,
  Message,
  NewIdempotencyKey,
  NewMessage,
  NewSession,
  Session,
  SessionEvent,
  Webhook,
  WebhookDeadLetter,
  WebhookPatch,
} from './repository-types.js';

/**
 * Rows per multi-row INSERT. messages has 16 columns: 500 rows = 8,000 bound variables, under
 * SQLite's 32,766 limit and pg's 65,535, while still cutting round trips 500-fold on pg.
 */
export const INSERT_CHUNK_ROWS = 500;
/** Ids per `IN (...)` list, same reasoning. */
export const IN_LIST_CHUNK = 500;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function sessionRow(input: NewSession, now = new Date()): Session {
  return {
    id: input.id ?? newId(now.getTime()),
    name: input.name,
    desiredState: input.desiredState ?? 'stopped',
    status: 'stopped',
    statusReason: null,
    lastDisconnectCode: null,
    statusChangedAt: now,
    reconnectAttempts: 0,
    ownerWorkerId: null,
    leaseGeneration: 0,
    meJid: null,
    meLid: null,
    pushName: null,
    pendingCommand: null,
    pendingCommandAt: null,
    settings: input.settings ?? {},
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
}

export function sessionEventRow(
  sessionId: string,
  from: SessionStatus | null,
  to: SessionStatus,
  extra: { reason?: string | null; disconnectCode?: number | null; workerId?: string | null },
  now: Date,
): SessionEvent {
  return {
    id: newId(now.getTime()),
    sessionId,
    fromStatus: from,
    toStatus: to,
    reason: extra.reason ?? null,
    disconnectCode: extra.disconnectCode ?? null,
    workerId: extra.workerId ?? null,
    createdAt: now,
  };
}

export function expectedStatuses(expected: SessionStatus | readonly SessionStatus[] | undefined) {
  if (expected === undefined) return undefined;
  return typeof expected === 'string' ? [expected] : expected;
}

export function nextReconnectAttempts(current: number, to: SessionStatus): number {
  if (to === 'reconnecting') return current + 1;
  if (to === 'open') return 0;
  return current;
}

export function messageRow(input: NewMessage, now = new Date()): Message {
  const createdAt = input.createdAt ?? now;
  return {
    id: input.id ?? newId(now.getTime()),
    sessionId: input.sessionId,
    direction: input.direction,
    waMessageId: input.waMessageId ?? null,
    remoteJid: input.remoteJid,
    type: input.type,
    payload: input.payload,
    status: input.status ?? (input.direction === 'inbound' ? 'received' : 'queued'),
    statusReason: null,
    batchId: input.batchId ?? null,
    mediaId: input.mediaId ?? null,
    attempts: 0,
    createdAt,
    updatedAt: now,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
  };
}

/** Which timestamp column a status sets (kept if already set: the first receipt wins). */
export function statusTimestampColumn(status: MessageStatus): 'sentAt' | 'deliveredAt' | 'readAt' | null {
  if (status === 'sent') return 'sentAt';
  if (status === 'delivered') return 'deliveredAt';
  if (status === 'read' || status === 'played') return 'readAt';
  return null;
}

export function clampLimit(limit: number, max = 1000): number {
  if (!Number.isFinite(limit)) return max;
  return Math.min(Math.max(Math.trunc(limit), 1), max);
}

function emptyCounts<S extends string>(statuses: readonly S[]): Record<S, number> {
  return Object.fromEntries(statuses.map((s) => [s, 0])) as Record<S, number>;
}

export function sessionCounts(rows: ReadonlyArray<{ status: SessionStatus; n: number }>) {
  const out = emptyCounts(SESSION_STATUSES);
  for (const row of rows) out[row.status] = Number(row.n);
  return out;
}

export function messageCounts(rows: ReadonlyArray<{ status: MessageStatus; n: number }>) {
  const out = emptyCounts(MESSAGE_STATUSES);
  for (const row of rows) out[row.status] = Number(row.n);
  return out;
}

/** Folds a page fetched with `limit + 1` rows (newest first) into items and the next id cursor. */
export function idPage<T extends { id: string }>(rows: T[], limit: number) {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  return { items, nextCursor: hasMore ? (items.at(-1)?.id ?? null) : null };
}

export function idempotencyKeyRow(input: NewIdempotencyKey, now = new Date()): IdempotencyKey {
  const createdAt = input.createdAt ?? now;
  return {
    id: newId(createdAt.getTime()),
    scope: input.scope,
    key: input.key,
    requestHash: input.requestHash,
    status: 'in_progress',
    responseStatus: null,
    responseBody: null,
    createdAt,
    expiresAt: input.expiresAt,
  };
}

/** Folds `(session_id, status, n)` rows of one batch into its counts; null when there are none. */
export function batchCounts(
  batchId: string,
  rows: ReadonlyArray<{ sessionId: string; status: MessageStatus; n: number }>,
): BatchCounts | null {
  const first = rows[0];
  if (!first) return null;
  const counts = messageCounts(rows);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return { batchId, sessionId: first.sessionId, total, counts };
}

/** Why a row is `cancelled` (status_reason). */
export const CANCELLED_REASON = 'cancelled by request';

/** Largest page `listQueuedBefore` returns (reconciliation pages through more). */
export const MAX_QUEUED_PAGE = 10_000;

/**
 * Splits a Baileys `keys.set` batch into upserts and deletes. The last write of a (type, id)
 * wins: pg rejects an upsert touching the same row twice, and the order inside a batch is
 * Baileys' intent.
 */
export function splitKeyWrites(writes: readonly AuthKeyWrite[]) {
  const last = new Map<string, AuthKeyWrite>();
  for (const write of writes) last.set(JSON.stringify([write.type, write.id]), write);
  const upserts: Array<AuthKeyWrite & { value: string }> = [];
  const deletes: AuthKeyWrite[] = [];
  for (const write of last.values()) {
    if (write.value === null) deletes.push(write);
    else upserts.push({ ...write, value: write.value });
  }
  return { upserts, deletes };
}

/** Deletes grouped by key type, so each becomes `type = ? AND key_id IN (...)`. */
export function groupIdsByType(writes: ReadonlyArray<{ type: string; id: string }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const write of writes) {
    const ids = out.get(write.type) ?? [];
    ids.push(write.id);
    out.set(write.type, ids);
  }
  return out;
}

/** Merges repeated jids in one batch (later non-null fields win) for the same reason. */
export function mergeContacts(contacts: readonly ContactUpsert[]): ContactUpsert[] {
  const byJid = new Map<string, ContactUpsert>();
  for (const contact of contacts) {
    const prev = byJid.get(contact.jid);
    if (!prev) {
      byJid.set(contact.jid, { ...contact });
      continue;
    }
    byJid.set(contact.jid, {
      jid: contact.jid,
      lid: contact.lid ?? prev.lid ?? null,
      name: contact.name ?? prev.name ?? null,
      notify: contact.notify ?? prev.notify ?? null,
      imgUrl: contact.imgUrl ?? prev.imgUrl ?? null,
    });
  }
  return [...byJid.values()];
}

/** sha256 hex of an API key: what `api_keys.key_hash` stores and `findByHash` expects. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The columns a webhook patch sets: only the given fields, plus updated_at. */
export function webhookPatchSet(patch: WebhookPatch, now: Date): Partial<Webhook> {
  const set: Partial<Webhook> = { updatedAt: now };
  if (patch.url !== undefined) set.url = patch.url;
  if (patch.events !== undefined) set.events = patch.events;
  if (patch.headers !== undefined) set.headers = patch.headers;
  if (patch.secret !== undefined) set.secret = patch.secret;
  if (patch.enabled !== undefined) set.enabled = patch.enabled;
  return set;
}

export function deadLetterRow(input: DeadLetterInput, now = new Date()): WebhookDeadLetter {
  return {
    id: newId(now.getTime()),
    webhookId: input.webhookId,
    sessionId: input.sessionId,
    eventId: input.eventId,
    event: input.event,
    payload: input.payload,
    attempts: input.attempts,
    lastStatus: input.lastStatus,
    lastResponse: input.lastResponse,
    lastError: input.lastError,
    status: 'dead',
    replayCount: 0,
    createdAt: now,
    updatedAt: now,
  };
}

export function deadLetterCounts(rows: ReadonlyArray<{ status: DeadLetterStatus; n: number }>) {
  const out = emptyCounts(DEAD_LETTER_STATUSES);
  for (const row of rows) out[row.status] = Number(row.n);
  return out;
}

/** Rows a bulk update returned, oldest id first (RETURNING order is unspecified). */
export function byId<T extends { id: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
