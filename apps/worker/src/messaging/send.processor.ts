import type { Message, Repositories, Session } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { type MessagePayload, messagePayload, sendMessageJob, waMessageIdFor } from '@wagw/queue';
import { type Breaker, isBrokenCircuit, sleep } from '@wagw/resilience';
import type { WASocket } from '@whiskeysockets/baileys';
import type { Job } from 'bullmq';
import { MediaSendError } from '../media/media-send-error.js';
import type { OutgoingMedia, PreparedMedia } from '../media/outgoing-media.js';
import type { AckResult, AckWaiter } from './ack-waiter.js';
import { isMediaPayload, type OutgoingContent, toBaileysContent, typedLength } from './content.js';
import { done, fail, hold, type JobOutcome, retry } from './job-outcome.js';
import {
  type DailyCounter,
  dailyCap,
  jitterDelay,
  msUntilUtcMidnight,
  type PacingDefaults,
  rateOverlimitPause,
  typingDelay,
} from './pacing.js';
import type { RecipientLookup } from './recipient-lookup.js';
import { classifyCode, classifySendError, isNotInGroup } from './send-failure.js';
import { errorReason } from './status-rank.js';
import type { StatusTracker } from './status-tracker.js';

/** A send cut short because the socket went away waits this long before the queue is tried again. */
const INTERRUPTED_PAUSE_MS = 1000;
/**
 * A media upload to WhatsApp's CDN gives up when its connection is idle this long (Baileys'
 * `mediaUploadTimeoutMs`, an idle timeout: a large file on a slow link still gets through).
 */
const MEDIA_UPLOAD_TIMEOUT_MS = 60_000;
/** Bounds the wait for an ack while `sendMessage` is still uploading; the real bound starts after it. */
const ACK_WAIT_CEILING_MS = 3600_000;

/**
 * Everything a send needs, built once per open socket of a session: the worker's parts (database,
 * pacing, daily counter), the session's (tracker, send breaker, recipient lookup, rate-limit
 * streak) and the socket's own (the socket, its ack waiter, the signal that fires when it closes).
 */
export interface SendContext {
  sessionId: string;
  logger: Logger;
  sock: Pick<WASocket, 'sendMessage' | 'onWhatsApp' | 'sendPresenceUpdate'>;
  /** The socket is open and this worker holds the session's lease. */
  isOpen: () => boolean;
  /** Aborted when the socket closes: cuts pacing waits short. */
  closed: AbortSignal;
  /** Runs a database call through the worker's database breaker. */
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  dbBreaker: Pick<Breaker, 'retryAfterMs'>;
  repos: Pick<Repositories, 'messages'>;
  session: Pick<Session, 'createdAt' | 'settings'>;
  tracker: Pick<StatusTracker, 'advance' | 'requeue'>;
  /** The session's send breaker. */
  breaker: Pick<Breaker, 'execute' | 'retryAfterMs'>;
  acks: Pick<AckWaiter, 'expect' | 'forget'>;
  recipients: RecipientLookup;
  pacing: PacingDefaults & { ackTimeoutMs: number };
  daily: DailyCounter;
  /** Consecutive rate-overlimit answers, for the pause's exponential growth. */
  overlimit: { streak: number };
  /** Makes a media message's file ready (outgoing-media.ts). */
  media: Pick<OutgoingMedia, 'prepare' | 'sent'>;
}

export type SendJob = Pick<Job, 'id' | 'data' | 'attemptsMade' | 'opts'>;

/** How one attempt on the socket ended, short of a transient failure (thrown, for the breaker). */
type Attempt =
  | { kind: 'sent' }
  | { kind: 'interrupted' }
  | { kind: 'rate-limited' | 'permanent'; reason: string };

/**
 * One outbound message: skip it unless it is still `queued`/`sending` (idempotent), check it,
 * pace it, send it under its own WhatsApp id (a retry after a crash re-sends the same id, which
 * the recipient shows once), and wait for the server's ack. Transient failures are retried by
 * BullMQ with backoff (the breaker counts them); permanent ones fail the message at once. The row
 * is read once; every status write after that is a compare-and-set on the copy in hand.
 */
export async function processSend(job: SendJob, ctx: SendContext): Promise<JobOutcome> {
  const parsed = sendMessageJob.safeParse(job.data);
  if (!parsed.success) return fail('invalid send job');
  // The latest copy of the row this send holds, so a refusing breaker can put a claimed one back.
  const held: { row?: Message } = {};
  try {
    return await send(job, parsed.data.messageId, ctx, held);
  } catch (err) {
    if (!isBrokenCircuit(err)) throw err;
    // Either breaker refused: hold everything until it may probe again; the message stays queued.
    if (held.row) await ctx.tracker.requeue(held.row, 'waiting: circuit breaker open').catch(() => null);
    return hold(
      Math.max(ctx.dbBreaker.retryAfterMs(), ctx.breaker.retryAfterMs(), INTERRUPTED_PAUSE_MS),
      'breaker open',
    );
  }
}

async function send(
  job: SendJob,
  messageId: string,
  ctx: SendContext,
  held: { row?: Message },
): Promise<JobOutcome> {
  if (!ctx.isOpen()) return hold(INTERRUPTED_PAUSE_MS, 'session not open');
  const breakerWait = ctx.breaker.retryAfterMs();
  if (breakerWait > 0) return hold(breakerWait, 'send breaker open');

  const row = await ctx.db(() => ctx.repos.messages.getById(messageId));
  if (!row || row.sessionId !== ctx.sessionId) return fail('message not found in this session');
  if (row.status !== 'queued' && row.status !== 'sending') return done({ status: `skipped (${row.status})` });
  held.row = row;

  const payload = messagePayload.safeParse(row.payload);
  if (!payload.success) return failMessage(ctx, row, 'invalid payload');

  const now = new Date();
  const cap = dailyCap(ctx.session.createdAt, now, ctx.pacing.dailyCap);
  if (cap !== undefined && (await ctx.daily.get(ctx.sessionId, now)) >= cap) {
    return hold(msUntilUtcMidnight(now), `daily cap of ${cap} reached`);
  }
  // A group is not a usync contact: whether the session is in it, the send itself tells.
  const isGroup = row.remoteJid.endsWith('@g.us');
  if (!isGroup && (await ctx.recipients.exists(ctx.sock, row.remoteJid)) === false) {
    return failMessage(ctx, row, 'recipient is not on WhatsApp');
  }

  await pace(ctx, row.remoteJid, payload.data);
  if (!ctx.isOpen()) return hold(INTERRUPTED_PAUSE_MS, 'session closed while pacing');

  // The claim: a row cancelled since it was read is not sent (compare-and-set on `queued`).
  const claimed = await ctx.tracker.advance(row, 'sending');
  if (claimed?.status !== 'sending') return done({ status: `skipped (${claimed?.status ?? 'changed'})` });
  held.row = claimed;
  // The file is made ready outside the send breaker: a bad URL or file is not WhatsApp's fault.
  let prepared: PreparedMedia | undefined;
  if (isMediaPayload(payload.data)) {
    try {
      prepared = await ctx.media.prepare(claimed, payload.data);
    } catch (err) {
      if (err instanceof MediaSendError) return mediaNotReady(job, ctx, claimed, err);
      throw err;
    }
  }
  const out = prepared?.out ?? toBaileysContent(payload.data);
  let outcome: Attempt;
  try {
    outcome = await ctx.breaker.execute(() => attempt(ctx, claimed, out, prepared !== undefined));
  } catch (err) {
    if (isBrokenCircuit(err)) throw err;
    return retryLater(job, ctx, claimed, err as Error);
  } finally {
    await prepared
      ?.release()
      .catch((err) => ctx.logger.warn({ err, sessionId: ctx.sessionId }, 'releasing a media file failed'));
  }
  switch (outcome.kind) {
    case 'sent':
      ctx.overlimit.streak = 0;
      await ctx.tracker.advance(claimed, 'sent');
      if (prepared) ctx.media.sent(prepared);
      // Counted only under a cap, the counter's one reader: three Redis commands per message
      // otherwise spent on a number nobody reads (bench/delivery.bench.ts).
      if (cap !== undefined)
        await ctx.daily
          .increment(ctx.sessionId)
          .catch((err) => ctx.logger.warn({ err, sessionId: ctx.sessionId }, 'daily send counter failed'));
      return done({ status: 'sent' });
    case 'interrupted':
      await ctx.tracker.requeue(claimed, 'waiting: connection closed during send');
      return hold(INTERRUPTED_PAUSE_MS, 'connection closed during send');
    case 'rate-limited': {
      ctx.overlimit.streak++;
      await ctx.tracker.requeue(claimed, `waiting: ${outcome.reason}`);
      return hold(rateOverlimitPause(ctx.overlimit.streak), outcome.reason);
    }
    case 'permanent':
      return failMessage(ctx, claimed, outcome.reason);
  }
}

/** Random pause, then optionally "typing…" for as long as a person would type the text. */
async function pace(ctx: SendContext, jid: string, payload: MessagePayload): Promise<void> {
  const jitter = jitterDelay(ctx.session.settings, ctx.pacing);
  // No timer at all without jitter: at thousands of sends a minute even a 1 ms timer adds up.
  if (jitter > 0) await sleep(jitter, ctx.closed);
  const typing = typingDelay(typedLength(payload), ctx.pacing.typing);
  if (typing === 0 || !ctx.isOpen()) return;
  const presence = (state: 'composing' | 'paused') =>
    ctx.sock
      .sendPresenceUpdate(state, jid)
      .catch((err) => ctx.logger.debug({ err, sessionId: ctx.sessionId }, 'typing indicator failed'));
  await presence('composing');
  await sleep(typing, ctx.closed);
  await presence('paused');
}

/**
 * One attempt on the socket, run inside the send breaker. A transient failure is thrown, because
 * a thrown error is what the breaker counts; `send` turns it into a retry right outside.
 */
async function attempt(
  ctx: SendContext,
  row: Message,
  out: OutgoingContent,
  media: boolean,
): Promise<Attempt> {
  const id = row.waMessageId ?? waMessageIdFor(row.id);
  // Waiting starts before sending (the ack can beat `sendMessage`), but SEND_ACK_TIMEOUT counts from
  // when the stanza is written: a media send uploads the file first, for as long as that takes.
  const ack = ctx.acks.expect(id, ACK_WAIT_CEILING_MS);
  try {
    await ctx.sock.sendMessage(row.remoteJid, out.content, {
      messageId: id,
      ...(out.quoted ? { quoted: out.quoted } : {}),
      ...(media ? { mediaUploadTimeoutMs: MEDIA_UPLOAD_TIMEOUT_MS } : {}),
    });
  } catch (err) {
    ctx.acks.forget(id);
    if (isNotInGroup(err, row.remoteJid))
      return { kind: 'permanent', reason: 'the session is not in this group' };
    const kind = classifySendError(err);
    if (kind === 'permanent') return { kind, reason: `send refused: ${(err as Error).message}` };
    if (!ctx.isOpen()) return { kind: 'interrupted' };
    if (kind === 'rate-limited') return { kind, reason: 'WhatsApp rate limit (rate-overlimit)' };
    throw new Error(`send failed: ${(err as Error).message}`);
  }
  const result = await ackWithin(ack, ctx.pacing.ackTimeoutMs, () => ctx.acks.forget(id));
  if (result.kind === 'closed') return { kind: 'interrupted' };
  if (result.kind === 'timeout') {
    if (!ctx.isOpen()) return { kind: 'interrupted' };
    throw new Error(`no server ack within ${ctx.pacing.ackTimeoutMs} ms`);
  }
  if (result.error === undefined) return { kind: 'sent' };
  const kind = classifyCode(result.error);
  if (kind === 'transient') throw new Error(errorReason([result.error]));
  return { kind, reason: errorReason([result.error]) };
}

/** The ack, or `timeout` after `ms`; `giveUp` then stops the waiter. */
async function ackWithin(ack: Promise<AckResult>, ms: number, giveUp: () => void): Promise<AckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<AckResult>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
  });
  const result = await Promise.race([ack, timeout]);
  clearTimeout(timer);
  if (result.kind === 'timeout') giveUp();
  return result;
}

/**
 * The file of a media message could not be made ready: failed now with the reason, or, for a
 * transient failure with attempts left, back to `queued` and retried by BullMQ. The send breaker
 * is not involved.
 */
async function mediaNotReady(
  job: SendJob,
  ctx: SendContext,
  row: Message,
  err: MediaSendError,
): Promise<JobOutcome> {
  const attempts = job.attemptsMade + 1;
  if (!err.transient) return failMessage(ctx, row, err.reason);
  if (attempts >= (job.opts.attempts ?? 1)) {
    return failMessage(ctx, row, `${err.reason} (gave up after ${attempts} attempts)`);
  }
  ctx.logger.warn(
    { sessionId: ctx.sessionId, messageId: row.id, jobId: job.id, attempt: attempts, reason: err.reason },
    'media not ready',
  );
  await ctx.tracker.requeue(row, `retrying: ${err.reason}`);
  return retry(err);
}

/** A transient failure: back to `queued` and retried by BullMQ, unless this was the last attempt. */
async function retryLater(job: SendJob, ctx: SendContext, row: Message, err: Error): Promise<JobOutcome> {
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
    await ctx.tracker.requeue(row, `waiting: ${err.message}`);
    return hold(ctx.breaker.retryAfterMs(), 'send breaker opened');
  }
  if (lastAttempt) {
    await ctx.tracker.advance(
      row,
      'failed',
      `gave up after ${job.attemptsMade + 1} attempts: ${err.message}`,
    );
  } else {
    await ctx.tracker.requeue(row, `retrying: ${err.message}`);
  }
  return retry(err);
}

async function failMessage(ctx: SendContext, row: Message, reason: string): Promise<JobOutcome> {
  await ctx.tracker.advance(row, 'failed', reason);
  ctx.logger.info({ sessionId: ctx.sessionId, messageId: row.id, reason }, 'message failed');
  return fail(reason);
}
