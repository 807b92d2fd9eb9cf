import type { Database, Message } from '@wagw/db';
import { AppError } from '@wagw/errors';
import {
  enqueue,
  normalizeRecipient,
  presenceJob,
  type RedisConnection,
  readMessagesJob,
  SEND_QUEUE_JOBS,
  type SendQueues,
  sendMessageJob,
} from '@wagw/queue';
import type { z } from 'zod';
import type { IdempotencyClaim } from '../../lib/idempotency.js';
import { REDIS_RETRY_AFTER_S, withRedis } from '../../lib/redis-guard.js';
import { requireSession } from '../../lib/session-guard.js';
import { composeMessage, type MessageDraft, outboundRow, settleDraft } from './compose-message.js';
import { type MessageMediaDeps, mediaForRequest } from './message-media.js';
import { messageStatusUrl } from './message-view.js';
import type {
  AcceptedMessage,
  listMessagesQuery,
  presenceBody,
  readBody,
  SendMessageInput,
} from './messages.schemas.js';

export interface MessageIntakeServiceDeps {
  repos: Pick<Database['repos'], 'messages' | 'sessions'>;
  /** The fail-fast producer connection the send queues use. */
  redis: RedisConnection;
  sendQueues: Pick<SendQueues, 'get'>;
  /** Where media messages' files are checked and stored. */
  media: MessageMediaDeps;
}

/** A send whose row is committed; `enqueueError` is set when the job could not be added. */
export interface AcceptedSend {
  accepted: AcceptedMessage;
  enqueueError?: AppError;
}

/**
 * The API's side of messaging: accept a request (validate, commit the row `queued`), then enqueue
 * the job whose id is the row id; also reads stored messages back. The row is the commitment; a job
 * lost on the way is re-added by outbox reconciliation (packages/maintenance), so a failed enqueue
 * still means "accepted". Sending over a WhatsApp socket is the worker's job, never this file's.
 */
export function createMessageIntakeService(deps: MessageIntakeServiceDeps) {
  const { messages, sessions } = deps.repos;

  /**
   * Composes one message (its file stored, if it came inline) or throws the failure with its own
   * code and status (400, 404, 413, 422).
   */
  async function compose(sessionId: string, input: SendMessageInput): Promise<MessageDraft> {
    const media = mediaForRequest(deps.media);
    const result = await composeMessage(sessionId, input, {
      findMessage: (id) => messages.getById(id),
      media,
    });
    if (!result.ok) {
      const { code, message, path, details } = result.error;
      throw new AppError(code, message, { details: { path, ...details } });
    }
    return settleDraft(result.draft, media);
  }

  async function send(
    sessionId: string,
    input: SendMessageInput,
    claim?: IdempotencyClaim,
  ): Promise<AcceptedSend> {
    await requireSession(sessions, sessionId);
    const draft = await compose(sessionId, input);
    const row = outboundRow(sessionId, draft);
    const { id } = row;
    const accepted: AcceptedMessage = { id, status: 'queued', statusUrl: messageStatusUrl(id) };
    // The row and the Idempotency-Key's answer commit together (see IdempotencyCommit).
    await messages.insert(row, claim && { idempotency: { keyId: claim.keyId, status: 202, body: accepted } });
    try {
      await withRedis(deps.redis, () =>
        enqueue(
          deps.sendQueues.get(sessionId),
          sendMessageJob,
          SEND_QUEUE_JOBS.send,
          { messageId: id, sessionId },
          {
            jobId: id,
          },
        ),
      );
      return { accepted };
    } catch (err) {
      return {
        accepted,
        enqueueError: storedButNotEnqueued(err, { messageId: id, statusUrl: accepted.statusUrl }),
      };
    }
  }

  async function markRead(sessionId: string, keys: z.infer<typeof readBody>['messages']) {
    await requireSession(sessions, sessionId);
    const job = await withRedis(deps.redis, () =>
      enqueue(deps.sendQueues.get(sessionId), readMessagesJob, SEND_QUEUE_JOBS.read, { sessionId, keys }),
    );
    return { jobId: String(job.id), status: 'queued' as const };
  }

  async function presence(sessionId: string, input: z.infer<typeof presenceBody>) {
    await requireSession(sessions, sessionId);
    const recipient = normalizeRecipient(input.to);
    if (!recipient.ok) {
      throw new AppError('INVALID_RECIPIENT', `invalid recipient "${input.to}": ${recipient.reason}`, {
        details: { path: 'to' },
      });
    }
    const job = await withRedis(deps.redis, () =>
      enqueue(deps.sendQueues.get(sessionId), presenceJob, SEND_QUEUE_JOBS.presence, {
        sessionId,
        to: recipient.jid,
        state: input.state,
      }),
    );
    return { jobId: String(job.id), status: 'queued' as const };
  }

  async function get(id: string): Promise<Message> {
    const message = await messages.getById(id);
    if (!message) throw new AppError('MESSAGE_NOT_FOUND', `message ${id} not found`);
    return message;
  }

  async function list(sessionId: string, query: z.infer<typeof listMessagesQuery>) {
    await requireSession(sessions, sessionId);
    return messages.listBySession({
      sessionId,
      status: query.status,
      direction: query.direction,
      before: query.before ? new Date(query.before) : undefined,
      after: query.after ? new Date(query.after) : undefined,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  return { send, markRead, presence, get, list };
}

export type MessageIntakeService = ReturnType<typeof createMessageIntakeService>;

/**
 * The 503 for "committed, but the job could not be added": the client must know the message is
 * NOT lost (retrying without the same Idempotency-Key would send it twice).
 */
export function storedButNotEnqueued(cause: unknown, details: Record<string, unknown>): AppError {
  return new AppError(
    'QUEUE_UNAVAILABLE',
    'Redis is unreachable. The request was stored (status queued) and will be enqueued by outbox reconciliation once Redis is back; retry only with the same Idempotency-Key, or poll the status URL',
    {
      cause,
      retryAfter: REDIS_RETRY_AFTER_S,
      details: { ...details, status: 'queued', reconciliation: 'the stored rows are enqueued automatically' },
    },
  );
}
