import type { Logger } from '@wagw/logger';
import { type RedisConnection, type SEND_QUEUE_JOBS, sendQueueName } from '@wagw/queue';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { JobOutcome } from './job-outcome.js';

type SendQueueJobName = (typeof SEND_QUEUE_JOBS)[keyof typeof SEND_QUEUE_JOBS];

/** How long closing waits for BullMQ (the job in hand, Redis) before the socket ends without it. */
const CLOSE_WAIT_MS = 5_000;

export interface SendQueueConsumerOptions {
  sessionId: string;
  logger: Logger;
  /** A consumer-profile connection (`maxRetriesPerRequest: null`); BullMQ adds its blocking one. */
  connection: RedisConnection;
  prefix: string;
  /**
   * Lock on the job in hand (BullMQ renews it at half this while the handler runs). A killed
   * worker's job is seen stalled once the lock has expired, at the next stall check (every
   * lockDuration too), so the next owner sends it within about twice this.
   */
  lockDurationMs: number;
  /** BullMQ limiter of this session's queue (see `limiterFor`). */
  limiter: { max: number; duration: number };
  handlers: Record<SendQueueJobName, (job: Job) => Promise<JobOutcome>>;
}

/**
 * The consumer of one session's `send.<sessionId>` queue, alive exactly while the session's socket
 * is open on this worker. Concurrency 1 keeps a session's messages in order and makes pacing per
 * session; `close()` waits for the job in hand, which itself gives up quickly once the socket is
 * gone (it is put back, not failed). This is the only place a job's outcome becomes BullMQ's:
 * a return value, a hold (`rateLimit` + `RateLimitError`, no attempt used), a thrown error (retried
 * while attempts remain) or an `UnrecoverableError` (failed now).
 */
export function startSendQueueConsumer(options: SendQueueConsumerOptions) {
  const { sessionId, logger } = options;
  const worker: Worker = new Worker(
    sendQueueName(sessionId),
    async (job) => {
      const handler = options.handlers[job.name as SendQueueJobName];
      if (!handler) throw new UnrecoverableError(`unknown job "${job.name}" on a send queue`);
      return settle(await handler(job));
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: 1,
      limiter: options.limiter,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.lockDurationMs,
      // Failovers stop workers abruptly; a job stalled by that is not the job's fault.
      maxStalledCount: 5,
    },
  );
  worker.on('error', (err) => logger.warn({ err, sessionId }, 'send queue consumer error'));
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      logger.warn({ sessionId, jobId: job.id, reason: err.message }, 'send job failed for good');
  });

  async function settle(outcome: JobOutcome): Promise<unknown> {
    switch (outcome.kind) {
      case 'done':
        return outcome.result;
      case 'hold':
        logger.debug({ sessionId, ms: outcome.ms, why: outcome.why }, 'holding send queue');
        await worker.rateLimit(Math.max(1, Math.ceil(outcome.ms)));
        throw Worker.RateLimitError();
      case 'retry':
        throw outcome.error;
      case 'fail':
        throw new UnrecoverableError(outcome.reason);
    }
  }

  return {
    /**
     * Stops taking jobs and waits for the one in hand, but no longer than CLOSE_WAIT_MS: BullMQ's
     * close waits for Redis, and while Redis is away it never returns (seen: still waiting after
     * 15 s, with `force` too), which kept a session whose socket dropped during a Redis outage from
     * reconnecting to WhatsApp until Redis came back. Past the wait the close goes on in the
     * background and ends when Redis answers again; the job in hand gives up once its socket is
     * gone, and one left locked is taken again after its lock expires (same WhatsApp id).
     */
    async close(): Promise<void> {
      const closing = worker.close().then(
        () => true,
        (err) => {
          logger.warn({ err, sessionId }, 'closing send queue consumer failed');
          return true;
        },
      );
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), CLOSE_WAIT_MS);
      });
      const closed = await Promise.race([closing, waited]);
      clearTimeout(timer);
      if (!closed)
        logger.warn(
          { sessionId, waitedMs: CLOSE_WAIT_MS },
          'send queue consumer still closing (Redis unreachable?): the socket ends without it',
        );
    },
    /** Takes no further job and waits (no longer than `ms`) for the one in hand to settle. */
    async drain(ms: number): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      });
      await Promise.race([worker.pause(false), deadline]).catch((err) =>
        logger.warn({ err, sessionId }, 'draining send queue consumer failed'),
      );
      clearTimeout(timer);
    },
  };
}

export type SendQueueConsumer = ReturnType<typeof startSendQueueConsumer>;
