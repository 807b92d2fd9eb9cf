import type { Message, Repositories, Session } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { type MessagePayload, messagePayload, sendMessageJob, waMessageIdFor } from '@wagw/queue';
import { type Breaker, isBrokenCircuit } from '@wagw/resilience';
import type { WASocket } from '@whiskeysockets/baileys';
import { type Job, UnrecoverableError } from 'bullmq';
import type { AckWaiter } from './ack-waiter.js';
import { type OutgoingContent, toBaileysContent, typedLength } from './content.js';
import {
  type DailyCounter,
  dailyCap,
  jitterDelay,
  msUntilUtcMidnight,
  type PacingDefaults,
  rateOverlimitPause,
  typingDelay,
} from './pacing.js';
import type { RecipientCheck } from './recipients.js';
import { classifyCode, classifySendError, TransientSendError } from './send-errors.js';
import { errorReason } from './status-rank.js';
import type { StatusTracker } from './status-tracker.js';

/** A send cut short because the socket went away waits this long before the queue is tried again. */
export const INTERRUPTED_PAUSE_MS = 1000;

/** Everything a send needs, for one open socket of one session. */
export interface SendContext {
  sessionId: string;
  logger: Logger;
  sock: Pick<WASocket, 'sendMessage' | 'onWhatsApp' | 'sendPresenceUpdate'>;
  /** The socket is open and this worker holds the session's lease. */
  isOpen: () => boolean;
  /** Puts the job back and pauses the session's queue for `ms` without using an attempt. */
  hold: (ms: number, why: string) => Promise<never>;
  /** Waits, cut short when the socket closes. */
  sleep: (ms: number) => Promise<void>;
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  dbRetryAfterMs: () => number;
  repos: Pick<Repositories, 'messages'>;
  session: Pick<Session, 'createdAt' | 'settings'>;
  tracker: StatusTracker;
  breaker: Breaker;
  acks: AckWaiter;
  recipients: RecipientCheck;
  pacing: PacingDefaults;
  daily: DailyCounter;
  ackTimeoutMs: number;
  /** Consecutive rate-overlimit answers, for the pause's exponential growth. */
  overlimit: { streak: number };
}

type Attempt =
  | { kind: 'sent' }
  | { kind: 'interrupted' }
  | { kind: 'rate-limited' | 'permanent'; reason: string };

/**
 * One outbound message: skip it unless it is still `queued`/`sending` (idempotent), check it,
 * pace it, send it under its own WhatsApp id (a retry after a crash re-sends the same id, which
 * the recipient shows once), and wait for the server's ack. Transient failures throw (BullMQ
 * retries with backoff, the breaker counts them); permanent ones fail the message at once.
 */
export async function processSend(job: Job, ctx: SendContext): Promise<{ status: string }> {
  const parsed = sendMessageJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('invalid send job');
  try {
    return await send(job, parsed.data.messageId, ctx);
  } catch (err) {
    // Either breaker refused: hold everything until it may probe again; the message stays queued.
    if (isBrokenCircuit(err)) {
      await ctx.tracker.requeue(parsed.data.messageId, 'waiting: circuit breaker open').catch(() => null);
      return ctx.hold(
        Math.max(ctx.dbRetryAfterMs(), ctx.breaker.retryAfterMs(), INTERRUPTED_PAUSE_MS),
        'breaker open',
      );
    }
    throw err;
  }
}

async function send(job: Job, messageId: string, ctx: SendContext): Promise<{ status: string }> {
  if (!ctx.isOpen()) return ctx.hold(INTERRUPTED_PAUSE_MS, 'session not open');
  const breakerWait = ctx.breaker.retryAfterMs();
  if (breakerWait > 0) return ctx.hold(breakerWait, 'send breaker open');

  const row = await ctx.db(() => ctx.repos.messages.getById(messageId));
  if (!row || row.sessionId !== ctx.sessionId)
    throw new UnrecoverableError('message not found in this session');
  if (row.status !== 'queued' && row.status !== 'sending') return { status: `skipped (${row.status})` };

  const payload = messagePayload.safeParse(row.payload);
  if (!payload.success) return fail(ctx, row, 'invalid payload');

  const now = new Date();
  const cap = dailyCap(ctx.session.createdAt, now, ctx.pacing.dailyCap);
  if (cap !== undefined && (await ctx.daily.get(ctx.sessionId, now)) >= cap) {
    return ctx.hold(msUntilUtcMidnight(now), `daily cap of ${cap} reached`);
  }
  if ((await ctx.recipients.exists(ctx.sock, row.remoteJid)) === false) {
    return fail(ctx, row, 'recipient is not on WhatsApp');
  }

  await pace(ctx, row.remoteJid, payload.data);
  if (!ctx.isOpen()) return ctx.hold(INTERRUPTED_PAUSE_MS, 'session closed while pacing');

  // The claim: a row cancelled since it was read is not sent (compare-and-set on `queued`).
  const claimed = await ctx.tracker.advance(row.id, 'sending');
  if (claimed?.status !== 'sending') return { status: `skipped (${claimed?.status ?? 'gone'})` };
  let outcome: Attempt;
  try {
    outcome = await ctx.breaker.execute(() => attempt(ctx, row, toBaileysContent(payload.data)));
  } catch (err) {
    if (isBrokenCircuit(err)) throw err;
    return retryLater(job, ctx, row, err as Error);
  }
  switch (outcome.kind) {
    case 'sent':
      ctx.overlimit.streak = 0;
      await ctx.tracker.advance(row.id, 'sent');
      await ctx.daily
        .increment(ctx.sessionId)
        .catch((err) => ctx.logger.warn({ err, sessionId: ctx.sessionId }, 'daily send counter failed'));
      return { status: 'sent' };
    case 'interrupted':
      await ctx.tracker.requeue(row.id, 'waiting: connection closed during send');
      return ctx.hold(INTERRUPTED_PAUSE_MS, 'connection closed during send');
    case 'rate-limited': {
      ctx.overlimit.streak++;
      await ctx.tracker.requeue(row.id, `waiting: ${outcome.reason}`);
      return ctx.hold(rateOverlimitPause(ctx.overlimit.streak), outcome.reason);
    }
    case 'permanent':
      return fail(ctx, row, outcome.reason);
  }
}

/** Random pause, then optionally "typing…" for as long as a person would type the text. */
async function pace(ctx: SendContext, jid: string, payload: MessagePayload): Promise<void> {
  await ctx.sleep(jitterDelay(ctx.session.settings, ctx.pacing));
  const typing = typingDelay(typedLength(payload), ctx.pacing.typing);
  if (typing === 0 || !ctx.isOpen()) return;
  const presence = (state: 'composing' | 'paused') =>
    ctx.sock
      .sendPresenceUpdate(state, jid)
      .catch((err) => ctx.logger.debug({ err, sessionId: ctx.sessionId }, 'typing indicator failed'));
  await presence('composing');
  await ctx.sleep(typing);
  await presence('paused');
}

async function attempt(ctx: SendContext, row: Message, out: OutgoingContent): Promise<Attempt> {
  const id = row.waMessageId ?? waMessageIdFor(row.id);
  const ack = ctx.acks.expect(id, ctx.ackTimeoutMs);
  try {
    await ctx.sock.sendMessage(row.remoteJid, out.content, {
      messageId: id,
      ...(out.quoted ? { quoted: out.quoted } : {}),
    });
  } catch (err) {
    ctx.acks.forget(id);
    const kind = classifySendError(err);
    if (kind === 'permanent') return { kind, reason: `send refused: ${(err as Error).message}` };
    if (!ctx.isOpen()) return { kind: 'interrupted' };
    if (kind === 'rate-limited') return { kind, reason: 'WhatsApp rate limit (rate-overlimit)' };
    throw new TransientSendError(`send failed: ${(err as Error).message}`);
  }
  const result = await ack;
  if (result.kind === 'closed') return { kind: 'interrupted' };
  if (result.kind === 'timeout') {
    if (!ctx.isOpen()) return { kind: 'interrupted' };
    throw new TransientSendError(`no server ack within ${ctx.ackTimeoutMs} ms`);
  }
  if (result.error === undefined) return { kind: 'sent' };
  const kind = classifyCode(result.error);
  if (kind === 'transient') throw new TransientSendError(errorReason([result.error]));
  return { kind, reason: errorReason([result.error]) };
}

/** A transient failure: back to `queued` and retried by BullMQ, unless this was the last attempt. */
async function retryLater(job: Job, ctx: SendContext, row: Message, err: Error): Promise<never> {
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  ctx.logger.warn(
    {
      sessionId: ctx.sessionId,
      messageId: row.id,
      jobId: job.id,
      attempt: job.attemptsMade + 1,
      reason: err.message,
    },
    'send failed',
  );
  // The failure that opened the breaker is held like the ones after it: no attempt is used up.
  if (ctx.breaker.retryAfterMs() > 0) {
    await ctx.tracker.requeue(row.id, `waiting: ${err.message}`);
    return ctx.hold(ctx.breaker.retryAfterMs(), 'send breaker opened');
  }
  if (lastAttempt) {
    await ctx.tracker.advance(
      row.id,
      'failed',
      `gave up after ${job.attemptsMade + 1} attempts: ${err.message}`,
    );
  } else {
    await ctx.tracker.requeue(row.id, `retrying: ${err.message}`);
  }
  throw err;
}

async function fail(ctx: SendContext, row: Message, reason: string): Promise<never> {
  await ctx.tracker.advance(row.id, 'failed', reason);
  ctx.logger.info({ sessionId: ctx.sessionId, messageId: row.id, reason }, 'message failed');
  throw new UnrecoverableError(reason);
}
