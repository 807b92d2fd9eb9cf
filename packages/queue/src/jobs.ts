import { z } from 'zod';

/**
 * Job payload schemas, one per job kind. New fields must be optional: jobs already waiting in
 * Redis were written by the previous version and must still parse.
 */

export const sessionCommandJob = z.object({
  sessionId: z.string().min(1),
  command: z.enum(['start', 'stop', 'restart', 'logout', 'delete', 'reconcile']),
  /** Epoch ms the API accepted the command; lets a worker drop commands older than the session state. */
  requestedAt: z.number().int(),
  requestId: z.string().optional(),
});
export type SessionCommandJob = z.infer<typeof sessionCommandJob>;

export const sendMessageJob = z.object({
  /** The wagw message id; also the BullMQ job id, so an enqueue retried after a crash is a no-op. */
  messageId: z.string().min(1),
  sessionId: z.string().min(1),
  batchId: z.string().optional(),
});
export type SendMessageJob = z.infer<typeof sendMessageJob>;

/** Mark messages as read (blue ticks) on the session's socket. Same per-session queue as sends. */
export const readMessagesJob = z.object({
  sessionId: z.string().min(1),
  keys: z
    .array(z.object({ remoteJid: z.string(), id: z.string(), participant: z.string().optional() }))
    .min(1)
    .max(1000),
});
export type ReadMessagesJob = z.infer<typeof readMessagesJob>;

/** Typing / presence indicator towards a chat. Same per-session queue as sends. */
export const presenceJob = z.object({
  sessionId: z.string().min(1),
  to: z.string().min(3),
  state: z.enum(['available', 'unavailable', 'composing', 'recording', 'paused']),
});
export type PresenceJob = z.infer<typeof presenceJob>;

/** Job names on a session's send queue (`send.<sessionId>`); never rename. */
export const SEND_QUEUE_JOBS = { send: 'send', read: 'read', presence: 'presence' } as const;

/** The event envelope as it travels inside a webhook job (see `GatewayEvent`). */
export const gatewayEventSchema = z.object({
  id: z.string().min(1),
  event: z.string().min(1),
  sessionId: z.string().nullable(),
  timestamp: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/**
 * One delivery of one event to one endpoint. The job id is `webhookJobId(eventId, webhookId)`, so
 * fanning the same event out twice (after a dispatcher crash) adds it once while the job is kept.
 */
export const webhookDeliveryJob = z.object({
  eventId: z.string().min(1),
  /** A webhooks row id, or `config` for the global webhook from configuration. */
  webhookId: z.string().min(1),
  /** The envelope to deliver; absent only in jobs written before it was carried (none in practice). */
  event: gatewayEventSchema.optional(),
  /** Set when the job replays a dead letter: a success resolves it, a failure records it again. */
  deadLetterId: z.string().optional(),
  /** Attempts already spent on this event and endpoint by earlier runs (replays), for the dead letter. */
  priorAttempts: z.number().int().min(0).optional(),
});
export type WebhookDeliveryJob = z.infer<typeof webhookDeliveryJob>;

/** Job name on the webhooks queue; never rename. */
export const WEBHOOK_JOB = 'deliver';

/** BullMQ job ids may not contain ':' (key separator) and must not look like integers. */
export function webhookJobId(eventId: string, webhookId: string): string {
  return `wh.${eventId}.${webhookId}`;
}

/** A replay gets its own job id per replay round, so replaying again after a failure is not a no-op. */
export function webhookReplayJobId(deadLetterId: string, replayCount: number): string {
  return `whr.${deadLetterId}.${replayCount}`;
}

/**
 * The maintenance tasks that exist: the scheduler registers one job scheduler per task and
 * @wagw/maintenance has a runner for each (its dispatcher fails to compile without one). The names
 * are also BullMQ job scheduler ids: never rename one, or the old scheduler stays in Redis.
 */
export const MAINTENANCE_TASKS = [
  'stale-session-cleanup',
  'revive-failed-sessions',
  'outbox-reconciliation',
  'media-retention',
  'idempotency-key-cleanup',
  'dead-letter-retention',
  'event-outbox-relay',
] as const;
export type MaintenanceTask = (typeof MAINTENANCE_TASKS)[number];

export const maintenanceJob = z.object({
  task: z.enum(MAINTENANCE_TASKS),
  /** Who asked, logged with the run: the scheduler's job schedulers, or an operator adding a job by hand. */
  trigger: z.enum(['schedule', 'manual']).default('schedule'),
});
export type MaintenanceJob = z.infer<typeof maintenanceJob>;
