/**
 * PostgreSQL schema. Mirrors `sqlite.ts` table for table and column for column; the PostgreSQL
 * repositories return these rows where the SQLite-inferred types are expected, so a drift between
 * the two files fails the typecheck. Timestamps are `timestamptz`, JSON is `jsonb`.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
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

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const sessions = pgTable(
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
    settings: jsonb('settings').$type<SessionSettings>().notNull(),
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

export const sessionEvents = pgTable(
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

export const authCreds = pgTable('auth_creds', {
  sessionId: text('session_id')
    .primaryKey()
    .references(() => sessions.id, { onDelete: 'cascade' }),
  creds: text('creds').notNull(),
  quarantinedAt: ts('quarantined_at'),
  quarantineReason: text('quarantine_reason'),
  updatedAt: ts('updated_at').notNull(),
});

export const authKeys = pgTable(
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

export const messages = pgTable(
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
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
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

export const contacts = pgTable(
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

export const webhooks = pgTable(
  'webhooks',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    events: jsonb('events').$type<string[]>().notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    secret: text('secret'),
    enabled: boolean('enabled').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('webhooks_session_idx').on(t.sessionId)],
);

export const apiKeys = pgTable(
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
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    id: text('id').primaryKey(),
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: text('status', { enum: IDEMPOTENCY_STATUSES }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body').$type<unknown>(),
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
export const webhookDeadLetters = pgTable(
  'webhook_dead_letters',
  {
    id: text('id').primaryKey(),
    webhookId: text('webhook_id').notNull(),
    sessionId: text('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    event: text('event').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
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
