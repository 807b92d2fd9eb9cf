/**
 * What one job of a session's send queue came to. Processors return it and never throw for an
 * expected outcome; only the send-queue consumer turns it into BullMQ's terms, so how a hold, a
 * retry and a permanent failure behave in the queue is decided in one place.
 */
export type JobOutcome =
  /** Finished; `result` is the job's return value. */
  | { kind: 'done'; result: Record<string, unknown> }
  /** Put the job back without using an attempt and pause the session's whole queue for `ms`. */
  | { kind: 'hold'; ms: number; why: string }
  /** This attempt failed: BullMQ retries with backoff while attempts remain. */
  | { kind: 'retry'; error: Error }
  /** Will not succeed on retry: the job fails now. */
  | { kind: 'fail'; reason: string };

export const done = (result: Record<string, unknown>): JobOutcome => ({ kind: 'done', result });
export const hold = (ms: number, why: string): JobOutcome => ({ kind: 'hold', ms, why });
export const fail = (reason: string): JobOutcome => ({ kind: 'fail', reason });
export const retry = (error: unknown): JobOutcome => ({
  kind: 'retry',
  error: error instanceof Error ? error : new Error(String(error)),
});
