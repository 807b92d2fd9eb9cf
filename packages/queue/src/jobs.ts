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
