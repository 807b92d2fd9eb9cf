/**
 * The one description of every table, column and index. Each dialect calls `defineTables` with
 * its own column kit (`sqlite.ts`, `pg.ts`), so both drizzle schemas, both migration folders
 * (drizzle-kit reads those two files) and the repositories' row types come from here. Adding a
 * column is an edit here plus `npm run db:generate`; see packages/db/README.md.
 */
import { sql } from 'drizzle-orm';
import type { ColumnKit } from './column-kit.js';
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

export function defineTables(k: ColumnKit) {
  const sessions = k.table(
    'sessions',
    {
      id: k.text('id').primaryKey(),
      name: k.text('name').notNull(),
      desiredState: k.text('desired_state', { enum: DESIRED_STATES }).notNull(),
      status: k.text('status', { enum: SESSION_STATUSES }).notNull(),
      statusReason: k.text('status_reason'),
      lastDisconnectCode: k.integer('last_disconnect_code'),
      statusChangedAt: k.timestamp('status_changed_at').notNull(),
      reconnectAttempts: k.integer('reconnect_attempts').notNull(),
      ownerWorkerId: k.text('owner_worker_id'),
      leaseGeneration: k.integer('lease_generation').notNull(),
      meJid: k.text('me_jid'),
      meLid: k.text('me_lid'),
      pushName: k.text('push_name'),
      pendingCommand: k.text('pending_command', { enum: SESSION_COMMANDS }),
      pendingCommandAt: k.timestamp('pending_command_at'),
      settings: k.json<SessionSettings>('settings').notNull(),
      createdAt: k.timestamp('created_at').notNull(),
      updatedAt: k.timestamp('updated_at').notNull(),
      deletedAt: k.timestamp('deleted_at'),
    },
    (t) => [
      // Names are reusable once a session is soft-deleted.
      k.uniqueIndex('sessions_name_live_uq').on(t.name).where(sql`deleted_at is null`),
      k.index('sessions_status_changed_idx').on(t.status, t.statusChangedAt),
    ],
  );

  const sessionEvents = k.table(
    'session_events',
    {
      id: k.text('id').primaryKey(),
      sessionId: k
        .text('session_id')
        .notNull()
        .references(() => sessions.id, { onDelete: 'cascade' }),
      fromStatus: k.text('from_status', { enum: SESSION_STATUSES }),
      toStatus: k.text('to_status', { enum: SESSION_STATUSES }).notNull(),
      reason: k.text('reason'),
      disconnectCode: k.integer('disconnect_code'),
      workerId: k.text('worker_id'),
      createdAt: k.timestamp('created_at').notNull(),
    },
    (t) => [k.index('session_events_session_idx').on(t.sessionId, t.createdAt)],
  );

  const authCreds = k.table('auth_creds', {
    sessionId: k
      .text('session_id')
      .primaryKey()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    creds: k.text('creds').notNull(),
    quarantinedAt: k.timestamp('quarantined_at'),
    quarantineReason: k.text('quarantine_reason'),
    updatedAt: k.timestamp('updated_at').notNull(),
  });

  const authKeys = k.table(
    'auth_keys',
    {
      sessionId: k
        .text('session_id')
        .notNull()
        .references(() => sessions.id, { onDelete: 'cascade' }),
      type: k.text('type').notNull(),
      keyId: k.text('key_id').notNull(),
      value: k.text('value').notNull(),
      updatedAt: k.timestamp('updated_at').notNull(),
    },
    (t) => [k.primaryKey({ columns: [t.sessionId, t.type, t.keyId] })],
  );

  const messages = k.table(
    'messages',
    {
      id: k.text('id').primaryKey(),
      sessionId: k
        .text('session_id')
        .notNull()
        .references(() => sessions.id, { onDelete: 'cascade' }),
      direction: k.text('direction', { enum: MESSAGE_DIRECTIONS }).notNull(),
      waMessageId: k.text('wa_message_id'),
      remoteJid: k.text('remote_jid').notNull(),
      type: k.text('type').notNull(),
      payload: k.json<Record<string, unknown>>('payload').notNull(),
      status: k.text('status', { enum: MESSAGE_STATUSES }).notNull(),
      statusReason: k.text('status_reason'),
      batchId: k.text('batch_id'),
      // The media store id of a media message's file (outbound: once known; inbound: once downloaded),
      // so retention can tell which stored files a message still needs without reading JSON.
      mediaId: k.text('media_id'),
      attempts: k.integer('attempts').notNull(),
      createdAt: k.timestamp('created_at').notNull(),
      updatedAt: k.timestamp('updated_at').notNull(),
      sentAt: k.timestamp('sent_at'),
      deliveredAt: k.timestamp('delivered_at'),
      readAt: k.timestamp('read_at'),
    },
    (t) => [
      k.uniqueIndex('messages_session_wa_id_uq').on(t.sessionId, t.waMessageId),
      // (session, status) lookups, and a session's inbound messages of a period (status = received,
      // created_at range): the dashboard's 24 h counts per session.
      k.index('messages_session_status_created_idx').on(t.sessionId, t.status, t.createdAt),
      // A session's outbound messages sent in a period (24 h counts, messages per minute).
      k.index('messages_session_sent_idx').on(t.sessionId, t.sentAt),
      // Covers the batch settlement check (batch_id = ? AND status IN (...), batch-settlement.ts) as well as batch-only lookups.
      k.index('messages_batch_status_idx').on(t.batchId, t.status),
      k.index('messages_status_created_idx').on(t.status, t.createdAt),
      k.index('messages_media_status_idx').on(t.mediaId, t.status),
      // A chat's messages, newest first (GET /api/sessions/:id/chats/:chatId/messages).
      k.index('messages_session_remote_idx').on(t.sessionId, t.remoteJid, t.id),
    ],
  );

  /**
   * Inbound media files not downloaded yet, one row per message, inserted in the same transaction
   * as the message and deleted once its `message.received` event is out. `descriptor` is what the
   * download needs (CDN path, media key, hashes): it holds a secret, so it lives here and never in
   * the message's public payload. A worker that takes a session over resumes these rows.
   */
  const mediaDownloads = k.table(
    'media_downloads',
    {
      messageId: k
        .text('message_id')
        .primaryKey()
        .references(() => messages.id, { onDelete: 'cascade' }),
      sessionId: k
        .text('session_id')
        .notNull()
        .references(() => sessions.id, { onDelete: 'cascade' }),
      descriptor: k.json<Record<string, unknown>>('descriptor').notNull(),
      createdAt: k.timestamp('created_at').notNull(),
    },
    (t) => [k.index('media_downloads_session_idx').on(t.sessionId, t.messageId)],
  );

  const contacts = k.table(
    'contacts',
    {
      sessionId: k
        .text('session_id')
        .notNull()
        .references(() => sessions.id, { onDelete: 'cascade' }),
      jid: k.text('jid').notNull(),
      lid: k.text('lid'),
      name: k.text('name'),
      notify: k.text('notify'),
      imgUrl: k.text('img_url'),
      updatedAt: k.timestamp('updated_at').notNull(),
    },
    (t) => [k.primaryKey({ columns: [t.sessionId, t.jid] })],
  );

  // Group metadata per session, as the worker last saw it (the `metadata` JSON is the gateway's group
  // view, participants included): API reads and Baileys' cachedGroupMetadata answer from here.
  const groups = k.table(
    'groups',
    {
      sessionId: k
        .text('session_id')
        .notNull()
        .references(() => sessions.id, { onDelete: 'cascade' }),
      jid: k.text('jid').notNull(),
      subject: k.text('subject').notNull(),
      metadata: k.json<Record<string, unknown>>('metadata').notNull(),
      updatedAt: k.timestamp('updated_at').notNull(),
    },
    (t) => [k.primaryKey({ columns: [t.sessionId, t.jid] })],
  );

  /**
   * A session's chat list, as WhatsApp reported it: the first-login history sync fills it, then
   * chat events and messages keep it current (apps/worker/src/chats). `activity_at` orders the list
   * (the last message's time, else the chat's own timestamp, else the epoch) and is never null, so
   * both dialects sort it alike. A chat muted for ever has `muted_until` = FOREVER_MUTED (enums.ts).
   */
  const chats = k.table(
    'chats',
    {
      sessionId: k
        .text('session_id')
        .notNull()
        .references(() => sessions.id, { onDelete: 'cascade' }),
      jid: k.text('jid').notNull(),
      lid: k.text('lid'),
      name: k.text('name'),
      lastMessageWaId: k.text('last_message_wa_id'),
      lastMessagePreview: k.text('last_message_preview'),
      lastMessageAt: k.timestamp('last_message_at'),
      lastMessageDirection: k.text('last_message_direction', { enum: MESSAGE_DIRECTIONS }),
      unreadCount: k.integer('unread_count').notNull(),
      archived: k.boolean('archived').notNull(),
      mutedUntil: k.timestamp('muted_until'),
      activityAt: k.timestamp('activity_at').notNull(),
      updatedAt: k.timestamp('updated_at').notNull(),
    },
    (t) => [
      k.primaryKey({ columns: [t.sessionId, t.jid] }),
      k.index('chats_session_activity_idx').on(t.sessionId, t.activityAt, t.jid),
    ],
  );

  const webhooks = k.table(
    'webhooks',
    {
      id: k.text('id').primaryKey(),
      sessionId: k.text('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
      url: k.text('url').notNull(),
      events: k.json<string[]>('events').notNull(),
      headers: k.json<Record<string, string>>('headers').notNull(),
      secret: k.text('secret'),
      enabled: k.boolean('enabled').notNull(),
      createdAt: k.timestamp('created_at').notNull(),
      updatedAt: k.timestamp('updated_at').notNull(),
    },
    (t) => [k.index('webhooks_session_idx').on(t.sessionId)],
  );

  const apiKeys = k.table(
    'api_keys',
    {
      id: k.text('id').primaryKey(),
      name: k.text('name').notNull(),
      keyHash: k.text('key_hash').notNull().unique('api_keys_key_hash_uq'),
      prefix: k.text('prefix').notNull(),
      sessionId: k.text('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
      createdAt: k.timestamp('created_at').notNull(),
      lastUsedAt: k.timestamp('last_used_at'),
      revokedAt: k.timestamp('revoked_at'),
    },
    (t) => [k.index('api_keys_session_idx').on(t.sessionId)],
  );

  /**
   * Idempotency-Key records of POST requests (IETF httpapi-idempotency-key-header). `scope` is who
   * sent the key (the API key's id, or 'admin' for the config key), so two clients' keys never
   * collide; `request_hash` fingerprints method, path and canonical body. The first request inserts
   * the row `in_progress` (the unique index arbitrates concurrent duplicates), then stores its
   * response. Rows are useless after `expires_at` and may be purged.
   */
  const idempotencyKeys = k.table(
    'idempotency_keys',
    {
      id: k.text('id').primaryKey(),
      scope: k.text('scope').notNull(),
      key: k.text('key').notNull(),
      requestHash: k.text('request_hash').notNull(),
      status: k.text('status', { enum: IDEMPOTENCY_STATUSES }).notNull(),
      responseStatus: k.integer('response_status'),
      responseBody: k.json<unknown>('response_body'),
      createdAt: k.timestamp('created_at').notNull(),
      expiresAt: k.timestamp('expires_at').notNull(),
    },
    (t) => [
      k.uniqueIndex('idempotency_keys_scope_key_uq').on(t.scope, t.key),
      k.index('idempotency_keys_expires_idx').on(t.expiresAt),
    ],
  );

  /**
   * Webhook deliveries that exhausted their retries (or were refused for good), one row per
   * (event, webhook): a replay that fails again updates the row instead of adding one. `webhook_id`
   * is not a foreign key because `config` names the global webhook from configuration; deleting a
   * webhooks row deletes its dead letters in the same transaction (see the repositories).
   */
  const webhookDeadLetters = k.table(
    'webhook_dead_letters',
    {
      id: k.text('id').primaryKey(),
      webhookId: k.text('webhook_id').notNull(),
      sessionId: k.text('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
      eventId: k.text('event_id').notNull(),
      event: k.text('event').notNull(),
      payload: k.json<Record<string, unknown>>('payload').notNull(),
      attempts: k.integer('attempts').notNull(),
      lastStatus: k.integer('last_status'),
      lastResponse: k.text('last_response'),
      lastError: k.text('last_error'),
      status: k.text('status').$type<DeadLetterStatus>().notNull().default('dead'),
      replayCount: k.integer('replay_count').notNull().default(0),
      createdAt: k.timestamp('created_at').notNull(),
      updatedAt: k.timestamp('updated_at').notNull(),
    },
    (t) => [
      k.uniqueIndex('webhook_dead_letters_event_webhook_uq').on(t.eventId, t.webhookId),
      k.index('webhook_dead_letters_webhook_status_idx').on(t.webhookId, t.status),
    ],
  );

  /**
   * Events written in the same transaction as the change they announce (a status update, a stored
   * inbound message), deleted once published to the Redis event stream. A row still here after a
   * grace period is published by the scheduler's relay: a crash or a Redis outage between the
   * commit and the publish loses no event. `claimed_until` keeps two relay runs from taking the same
   * rows. No foreign key: an event outlives a session deleted before it was published.
   */
  const eventOutbox = k.table(
    'event_outbox',
    {
      id: k.text('id').primaryKey(),
      sessionId: k.text('session_id'),
      envelope: k.json<Record<string, unknown>>('envelope').notNull(),
      createdAt: k.timestamp('created_at').notNull(),
      claimedUntil: k.timestamp('claimed_until'),
    },
    (t) => [k.index('event_outbox_created_idx').on(t.createdAt)],
  );

  return {
    sessions,
    sessionEvents,
    authCreds,
    authKeys,
    messages,
    mediaDownloads,
    contacts,
    groups,
    chats,
    webhooks,
    apiKeys,
    idempotencyKeys,
    webhookDeadLetters,
    eventOutbox,
  };
}

export type Tables = ReturnType<typeof defineTables>;
