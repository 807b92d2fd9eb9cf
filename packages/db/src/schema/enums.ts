/**
 * Enum values shared by both dialect schemas and the repository types. Stored as plain text
 * (not pg enums) so both dialects accept the same values and adding a value is a code change,
 * not an `ALTER TYPE` migration. Never rename a value: rows already hold it.
 */
export const DESIRED_STATES = ['running', 'stopped'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/**
 * One-shot commands the API leaves on a session row for its owning worker. Kept in the database
 * (not only in a job) so a command survives a lost job or a worker failover.
 */
export const SESSION_COMMANDS = ['restart', 'logout'] as const;
export type SessionCommand = (typeof SESSION_COMMANDS)[number];

export const SESSION_STATUSES = [
  'stopped',
  'starting',
  'qr',
  'connecting',
  'open',
  'reconnecting',
  'failed',
  'logged_out',
  'conflict',
  'needs_pairing',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * The status reason of a session that should run but that no worker has room for (every live
 * worker holds MAX_SESSIONS_PER_WORKER): status `stopped` with this reason until a worker claims
 * it. Health and metrics count sessions by it (`countWaitingForCapacity`); never reword it.
 */
export const WAITING_FOR_CAPACITY_REASON = 'waiting for capacity: every worker is full';

export const MESSAGE_DIRECTIONS = ['outbound', 'inbound'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

export const MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'played',
  'failed',
  'cancelled',
  'received',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * An Idempotency-Key record: `in_progress` from the moment the first request claims the key until
 * its response is stored (`completed`), so a concurrent duplicate can be told apart from a replay.
 */
export const IDEMPOTENCY_STATUSES = ['in_progress', 'completed'] as const;
export type IdempotencyStatus = (typeof IDEMPOTENCY_STATUSES)[number];

/** Per-session settings kept as JSON: read by the worker, written by the API. All optional. */
export interface SessionSettings {
  /** Outbound pacing; absent = the worker's defaults. */
  pacing?: { minDelayMs?: number; maxDelayMs?: number; perMinute?: number };
  /** Which inbound/status events are forwarded to webhooks; absent = all. */
  webhooks?: { inbound?: boolean; statuses?: boolean; sessionEvents?: boolean };
  [key: string]: unknown;
}

/** A dead-lettered webhook delivery: waiting (`dead`) or handed back to the queue (`replaying`). */
export const DEAD_LETTER_STATUSES = ['dead', 'replaying'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/**
 * `chats.muted_until` of a chat muted for ever (WhatsApp's -1): a real time, so the column stays a
 * plain timestamp on both dialects and "muted now" is one comparison.
 */
export const FOREVER_MUTED = new Date('9999-12-31T23:59:59.999Z');
