import { z } from 'zod';
import { QUEUES } from './names.js';

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

export const webhookDeliveryJob = z.object({
  eventId: z.string().min(1),
  webhookId: z.string().min(1),
});
export type WebhookDeliveryJob = z.infer<typeof webhookDeliveryJob>;

export const maintenanceJob = z.object({
  task: z.enum([
    'stale-session-cleanup',
    'revive-failed-sessions',
    'outbox-reconciliation',
    'retention',
    'health-snapshot',
  ]),
  /** Who asked: the scheduler, or an operator through the API. */
  trigger: z.enum(['schedule', 'manual']).default('schedule'),
});
export type MaintenanceJob = z.infer<typeof maintenanceJob>;

/** Which schema guards which queue. Send queues share one schema. */
export const JOB_SCHEMAS = {
  [QUEUES.sessionCommands]: sessionCommandJob,
  [QUEUES.webhooks]: webhookDeliveryJob,
  [QUEUES.maintenance]: maintenanceJob,
  send: sendMessageJob,
} as const;
