import type { Logger } from '@wagw/logger';

/** What the gate starts and stops: one session's send-queue consumer (send-queue.consumer.ts). */
export interface StoppableConsumer {
  close(): Promise<void>;
  drain(ms: number): Promise<void>;
}

export interface OnDemandConsumerOptions {
  sessionId: string;
  logger: Logger;
  start: () => StoppableConsumer;
  /** Whether the session's send queue holds jobs (waiting, prioritized, delayed or active). */
  hasWork: () => Promise<boolean>;
  /** How long a consumer with nothing to do is kept before it closes. */
  idleMs: number;
  now?: () => number;
}

/**
 * Runs a session's send-queue consumer only while its queue has work. An idle BullMQ Worker is not
 * free: it keeps a blocking Redis connection with BullMQ's 64 scripts defined on it (~110 KiB of
 * heap and ~215 KiB of RSS each, docs/benchmarks.md "Session density") and asks Redis for jobs
 * every few seconds, and most sessions of a large worker send nothing most of the time.
 *
 * `wake()` starts the consumer (a producer announced jobs, or the periodic look found some);
 * `observe(busy)` is that periodic look's answer: work keeps the consumer, and a consumer that saw
 * none for `idleMs` closes. A close re-checks the queue when it is done, so a job added while it
 * closed is not left waiting for the next look.
 */
export function createOnDemandConsumer(options: OnDemandConsumerOptions) {
  const { sessionId, logger } = options;
  const now = options.now ?? Date.now;
  let consumer: StoppableConsumer | undefined;
  let closing: Promise<void> | undefined;
  let wokenWhileClosing = false;
  let lastBusy = now();
  let stopped = false;

  function wake(): void {
    lastBusy = now();
    if (stopped) return;
    if (closing) {
      wokenWhileClosing = true;
      return;
    }
    if (consumer) return;
    consumer = options.start();
    logger.debug({ sessionId }, 'send queue consumer started');
  }

  function closeIdle(idle: StoppableConsumer): void {
    logger.debug({ sessionId }, 'send queue consumer idle: closing');
    closing = idle
      .close()
      .catch((err) => logger.warn({ err, sessionId }, 'closing idle send queue consumer failed'))
      .then(async () => {
        consumer = undefined;
        closing = undefined;
        if (stopped) return;
        const again = wokenWhileClosing || (await options.hasWork().catch(() => true));
        wokenWhileClosing = false;
        if (again) wake();
      });
  }

  return {
    wake,
    /** The periodic look at the queue: `busy` when it holds jobs. */
    observe(busy: boolean): void {
      if (busy) {
        wake();
        return;
      }
      if (consumer && !closing && now() - lastBusy >= options.idleMs) closeIdle(consumer);
    },
    running: () => consumer !== undefined && closing === undefined,
    /** Takes no further job and waits (no longer than `ms`) for the one in hand; nothing to do when idle. */
    async drain(ms: number): Promise<void> {
      await consumer?.drain(ms);
    },
    /** The socket ended: the consumer closes and no wake starts it again. */
    async stop(): Promise<void> {
      stopped = true;
      await closing;
      const last = consumer;
      consumer = undefined;
      await last?.close();
    },
  };
}

export type OnDemandConsumer = ReturnType<typeof createOnDemandConsumer>;
