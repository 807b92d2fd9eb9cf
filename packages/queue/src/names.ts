/**
 * Queue names. NEVER rename one without a migration: jobs already in Redis live under the old
 * name and would be stranded (BullMQ keys are `<prefix>:<queue>:...`).
 */
export const QUEUES = {
  /** Session lifecycle commands (start, stop, restart, logout, delete, reconcile) for workers. */
  sessionCommands: 'session-commands',
  /** Webhook deliveries, one job per (event, endpoint). */
  webhooks: 'webhooks',
  /** Periodic maintenance run by the scheduler: one job per run of a `MAINTENANCE_TASKS` task. */
  maintenance: 'maintenance',
} as const;

/**
 * Outbound messages have one queue per session, consumed only by the session's owner with
 * concurrency 1, so a session's messages go out in order and pacing is per session.
 * BullMQ queue names may not contain ':' (it separates key parts).
 */
export const SEND_QUEUE_PREFIX = 'send.';

export function sendQueueName(sessionId: string): `send.${string}` {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(sessionId)) {
    throw new Error(`invalid session id for a queue name: ${JSON.stringify(sessionId)}`);
  }
  return `${SEND_QUEUE_PREFIX}${sessionId}`;
}

export function isSendQueue(name: string): boolean {
  return name.startsWith(SEND_QUEUE_PREFIX);
}
