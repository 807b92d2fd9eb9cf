import type { Logger } from '@wagw/logger';
import { type SEND_QUEUE_JOBS, sendQueueName } from '@wagw/queue';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

export interface DeliveryWorkerOptions {
  sessionId: string;
  logger: Logger;
  /** A consumer-profile connection (`maxRetriesPerRequest: null`); BullMQ adds its blocking one. */
  connection: Redis;
  prefix: string;
  /** BullMQ limiter of this session's queue (see `limiterFor`). */
  limiter: { max: number; duration: number };
  handlers: Record<
    (typeof SEND_QUEUE_JOBS)[keyof typeof SEND_QUEUE_JOBS],
    (job: Job, hold: Hold) => Promise<unknown>
  >;
}

/** Puts the current job back (no attempt used) and pauses the whole session queue for `ms`. */
export type Hold = (ms: number, why: string) => Promise<never>;

/**
 * The consumer of one session's `send.<sessionId>` queue, alive exactly while the session's socket
 * is open on this worker. Concurrency 1 keeps a session's messages in order and makes pacing per
 * session; `close()` waits for the job in hand, which itself gives up quickly once the socket is
 * gone (it is put back, not failed).
 */
export function startDeliveryWorker(options: DeliveryWorkerOptions) {
  const { sessionId, logger } = options;
  const worker: Worker = new Worker(
    sendQueueName(sessionId),
    async (job) => {
      const handler = options.handlers[job.name as keyof DeliveryWorkerOptions['handlers']];
      if (!handler) throw new UnrecoverableError(`unknown job "${job.name}" on a send queue`);
      return handler(job, hold);
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: 1,
      limiter: options.limiter,
      // Failovers stop workers abruptly; a job stalled by that is not the job's fault.
      maxStalledCount: 5,
    },
  );
  worker.on('error', (err) => logger.warn({ err, sessionId }, 'delivery worker error'));
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      logger.warn({ sessionId, jobId: job.id, reason: err.message }, 'send job failed for good');
  });

  async function hold(ms: number, why: string): Promise<never> {
    logger.debug({ sessionId, ms, why }, 'holding send queue');
    await worker.rateLimit(Math.max(1, Math.ceil(ms)));
    throw Worker.RateLimitError();
  }

  return {
    worker,
    close: () => worker.close(),
  };
}

export type DeliveryWorker = ReturnType<typeof startDeliveryWorker>;
