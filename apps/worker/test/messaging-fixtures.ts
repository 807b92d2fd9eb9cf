import { type Message, type MessageStatus, newId, type SessionSettings } from '@wagw/db';
import {
  createConsumerConnection,
  enqueue,
  type MessagePayload,
  openSendQueue,
  redisKeys,
  SEND_QUEUE_JOBS,
  sendMessageJob,
  waMessageIdFor,
} from '@wagw/queue';
import { redisUrl } from '@wagw/testing';
import type { Gateway } from './harness.js';

/**
 * Writes outbound messages the way the API does (row `queued` with `waMessageIdFor(id)`, then a
 * `send` job with jobId = message id on `send.<sessionId>`), without the API process.
 */
export function createOutbox(gw: Gateway, sessionId: string, redisAddress = redisUrl()) {
  const connection = createConsumerConnection(redisAddress);
  // Waking, as the API's queues do: the session's consumer starts when a job arrives.
  const queue = openSendQueue(connection, gw.prefix, sessionId);
  return {
    queue,
    async send(to: string, payload: MessagePayload): Promise<Message> {
      const id = newId();
      const row = await gw.db.repos.messages.insert({
        id,
        sessionId,
        direction: 'outbound',
        waMessageId: waMessageIdFor(id),
        remoteJid: to,
        type: payload.type,
        payload,
      });
      await enqueue(queue, sendMessageJob, SEND_QUEUE_JOBS.send, { messageId: id, sessionId }, { jobId: id });
      return row;
    },
    text(to: string, text: string): Promise<Message> {
      return this.send(to, { type: 'text', text });
    },
    async close(): Promise<void> {
      await queue.close();
      connection.disconnect();
    },
  };
}

export async function waitForMessageStatus(
  gw: Gateway,
  messageId: string,
  statuses: MessageStatus | MessageStatus[],
  timeoutMs = 30_000,
): Promise<Message> {
  const wanted = Array.isArray(statuses) ? statuses : [statuses];
  return gw.waitFor(
    `message ${messageId} to be ${wanted.join('/')}`,
    async () => {
      const row = await gw.db.repos.messages.getById(messageId);
      return row && wanted.includes(row.status) ? row : undefined;
    },
    timeoutMs,
  );
}

/** A session that should run, with settings (the harness' createSession has none). */
export async function createSessionWithSettings(gw: Gateway, name: string, settings: SessionSettings) {
  const session = await gw.db.repos.sessions.create({ name, settings });
  await gw.db.repos.sessions.requestCommand(session.id, { desired: 'running' });
  await gw.nudge(session.id);
  return session;
}

/** The phone number (digits) the open session is logged in as, from its stored identity. */
export async function sessionPhone(gw: Gateway, sessionId: string): Promise<string> {
  const session = await gw.db.repos.sessions.getById(sessionId);
  const phone = session?.meJid?.split(/[:@]/)[0];
  if (!phone) throw new Error(`session ${sessionId} has no identity yet`);
  return phone;
}

/** The `stats()` a worker last published in its heartbeat. */
export async function workerHeartbeat(
  gw: Gateway,
  workerId: string,
): Promise<Record<string, unknown> | null> {
  const raw = await gw.redis.get(redisKeys(gw.prefix).heartbeat('worker', workerId));
  return raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
}
