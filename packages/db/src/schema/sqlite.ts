/**
 * SQLite schema (better-sqlite3). Must describe the same tables, columns and indexes as
 * `pg.ts`: the repositories' row types are inferred from this file and the PostgreSQL
 * implementation is type-checked against them, and the contract suite runs on both.
 * Timestamps are epoch milliseconds (`timestamp_ms`) so Date round-trips without precision loss.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import {
  DESIRED_STATES,
  type DeadLetterStatus,
  IDEMPOTENCY_STATUSES,
  MESSAGE_DIRECTIONS,
  MESSAGE_STATUSES,
  SESSION_COMMANDS,
  SESSION_STATUSES,
  type SessionSettings,
} from './enums.js';

const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    desiredState: text('desired_state', { enum: DESIRED_STATES }).notNull(),
    status: text('status', { enum: SESSION_STATUSES }).notNull(),
    statusReason: text('status_reason'),
    lastDisconnectCode: integer('last_disconnect_code'),
    statusChangedAt: ts('status_changed_at').notNull(),
    reconnectAttempts: integer('reconnect_attempts').notNull(),
    ownerWorkerId: text('owner_worker_id'),
    leaseGeneration: integer('lease_generation').notNull(),
    meJid: text('me_jid'),
    meLid: text('me_lid'),
    pushName: text('push_name'),
    pendingCommand: text('pending_command', { enum: SESSION_COMMANDS }),
    pendingCommandAt: ts('pending_command_at'),
    settings: text('settings', { mode: 'json' }).$type<SessionSettings>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    // Names are reusable once a session is soft-deleted.
    uniqueIndex('sessions_name_live_uq').on(t.name).where(sql`deleted_at is null`),
    index('sessions_status_changed_idx').on(t.status, t.statusChangedAt),
  ],
);

export const sessionEvents = sqliteTable(
  'session_events',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status', { enum: SESSION_STATUSES }),
    toStatus: text('to_status', { enum: SESSION_STATUSES }).notNull(),
    reason: text('reason'),
    disconnectCode: integer('disconnect_code'),
    workerId: text('worker_id'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('session_events_session_idx').on(t.sessionId, t.createdAt)],
);

export const authCreds = sqliteTable('auth_creds', {
  sessionId: text('session_id')
    .primaryKey()
    .references(() => sessions.id, { onDelete: 'cascade' }),
  creds: text('creds').notNull(),
  quarantinedAt: ts('quarantined_at'),
  quarantineReason: text('quarantine_reason'),
  updatedAt: ts('updated_at').notNull(),
});

export const authKeys = sqliteTable(
  'auth_keys',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    keyId: text('key_id').notNull(),
    value: text('value').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.type, t.keyId] })],
);

export const messages = sqliteTable(
  'messages',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    direction: text('direction', { enum: MESSAGE_DIRECTIONS }).notNull(),
    waMessageId: text('wa_message_id'),
    remoteJid: text('remote_jid').notNull(),
    type: text('type').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: MESSAGE_STATUSES }).notNull(),
    statusReason: text('status_reason'),
    batchId: text('batch_id'),
    attempts: integer('attempts').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    sentAt: ts('sent_at'),
    deliveredAt: ts('delivered_at'),
    readAt: ts('read_at'),
  },
  (t) => [
    uniqueIndex('messages_session_wa_id_uq').on(t.sessionId, t.waMessageId),
    index('messages_session_status_idx').on(t.sessionId, t.status),
    // Covers `hasUnsettledInBatch` (batch_id = ? AND status IN (...)) as well as batch-only lookups.
    index('messages_batch_status_idx').on(t.batchId, t.status),
    index('messages_status_created_idx').on(t.status, t.createdAt),
  ],
);

export const contacts = sqliteTable(
  'contacts',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    jid: text('jid').notNull(),
    lid: text('lid'),
    name: text('name'),
    notify: text('notify'),
    imgUrl: text('img_url'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.jid] })],
);

export const webhooks = sqliteTable(
  'webhooks',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    headers: text('headers', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    secret: text('secret'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('webhooks_session_idx').on(t.sessionId)],
);

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull().unique('api_keys_key_hash_uq'),
    prefix: text('prefix').notNull(),
    sessionId: text('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
    createdAt: ts('created_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('api_keys_session_idx').on(t.sessionId)],
);

/**
 * Idempotency-Key records of POST requests (IETF httpapi-idempotency-key-header). `scope` is who
 * sent the key (the API key's id, or 'admin' for the config key), so two clients' keys never
 * collide; `request_hash` fingerprints method, path and canonical body. The first request inserts
 * the row `in_progress` (the unique index arbitrates concurrent duplicates), then stores its
 * response. Rows are useless after `expires_at` and may be purged.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    id: text('id').primaryKey(),
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: text('status', { enum: IDEMPOTENCY_STATUSES }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body', { mode: 'json' }).$type<unknown>(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('idempotency_keys_scope_key_uq').on(t.scope, t.key),
    index('idempotency_keys_expires_idx').on(t.expiresAt),
  ],
);

/**
 * Webhook deliveries that exhausted their retries (or were refused for good), one row per
 * (event, webhook): a replay that fails again updates the row instead of adding one. `webhook_id`
 * is not a foreign key because `config` names the global webhook from configuration; deleting a
 * webhooks row deletes its dead letters in the same transaction (see the repositories).
 */
export const webhookDeadLetters = sqliteTable(
  'webhook_dead_letters',
  {
    id: text('id').primaryKey(),
    webhookId: text('webhook_id').notNull(),
    sessionId: text('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    event: text('event').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    attempts: integer('attempts').notNull(),
    lastStatus: integer('last_status'),
    lastResponse: text('last_response'),
    lastError: text('last_error'),
    status: text('status').$type<DeadLetterStatus>().notNull().default('dead'),
    replayCount: integer('replay_count').notNull().default(0),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('webhook_dead_letters_event_webhook_uq').on(t.eventId, t.webhookId),
    index('webhook_dead_letters_webhook_status_idx').on(t.webhookId, t.status),
  ],
);
