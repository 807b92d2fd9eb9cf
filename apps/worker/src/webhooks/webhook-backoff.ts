import { WEBHOOK_BACKOFF_TYPE } from '@wagw/queue';
import type { MinimalJob } from 'bullmq';

/** The longest Retry-After honoured; a receiver asking for days is retried within the hour. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** A failed attempt whose receiver said when to come back (Retry-After on 429 or 503). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/**
 * BullMQ backoff strategy for `WEBHOOK_BACKOFF_TYPE` jobs: delay × 2^(attempt−1), each wait drawn
 * from 50-100 % of that so retries after a shared outage spread out, and never sooner than the
 * receiver's Retry-After (capped at MAX_RETRY_AFTER_MS). BullMQ calls a custom strategy only for
 * types it does not know itself; any other unknown type gets a fixed `delay`.
 */
export function webhookBackoff(attemptsMade: number, type?: string, err?: Error, job?: MinimalJob): number {
  const backoff = job?.opts.backoff;
  const base = typeof backoff === 'number' ? backoff : (backoff?.delay ?? 1000);
  if (type !== undefined && type !== WEBHOOK_BACKOFF_TYPE) return base;
  const max = base * 2 ** Math.max(0, attemptsMade - 1);
  const delay = Math.floor(max * (0.5 + Math.random() * 0.5));
  const retryAfter = err instanceof RetryLater ? err.retryAfterMs : null;
  return retryAfter === null ? delay : Math.max(delay, Math.min(retryAfter, MAX_RETRY_AFTER_MS));
}
