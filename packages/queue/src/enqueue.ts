import type { JobsOptions, Queue } from 'bullmq';
import type { z } from 'zod';

/**
 * Defaults for every job. Exponential backoff with jitter spreads retries after a shared outage;
 * completed jobs are kept briefly (for inspection in Bull Board), failed ones longer (for diagnosis),
 * both bounded so Redis memory does not grow with traffic.
 */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
} as const satisfies JobsOptions;

export interface EnqueueOptions extends JobsOptions {
  /** Idempotency: a job with an id that already exists is not added twice. */
  jobId?: string;
}

/**
 * Validates the payload against its schema, then adds it with the defaults applied. A payload that
 * does not match is a programming error, so it throws before anything reaches Redis.
 */
export async function enqueue<S extends z.ZodType>(
  queue: Queue,
  schema: S,
  name: string,
  data: z.input<S>,
  options: EnqueueOptions = {},
) {
  const payload = schema.parse(data);
  return queue.add(name, payload, { ...DEFAULT_JOB_OPTIONS, ...options });
}

/** The bulk form, one round trip for many jobs (used by bulk sends). */
export async function enqueueBulk<S extends z.ZodType>(
  queue: Queue,
  schema: S,
  jobs: Array<{ name: string; data: z.input<S>; options?: EnqueueOptions }>,
) {
  return queue.addBulk(
    jobs.map((job) => ({
      name: job.name,
      data: schema.parse(job.data),
      opts: { ...DEFAULT_JOB_OPTIONS, ...job.options },
    })),
  );
}

/** Retry policy of webhook deliveries (WEBHOOK_MAX_ATTEMPTS, WEBHOOK_BACKOFF_DELAY). */
export interface WebhookRetryPolicy {
  maxAttempts: number;
  /** First retry delay in ms; doubled per attempt, each wait drawn from 50-100 % of that (jitter). */
  backoffMs: number;
}

/**
 * The custom BullMQ backoff type of webhook jobs: exponential with jitter like BullMQ's own, but a
 * receiver's Retry-After (429, 503) can lengthen the wait. Implemented by the worker's
 * `webhookBackoff`; a queue without it cannot retry these jobs, which only workers consume.
 */
export const WEBHOOK_BACKOFF_TYPE = 'webhook';

/**
 * Options of every webhook job, used by the dispatcher and by dead-letter replays alike. Completed
 * jobs are kept for a day (up to 10,000) because their ids are what makes a re-dispatched event a
 * no-op; failed ones have a dead letter in the database, so Redis keeps them only for inspection.
 */
export function webhookJobOptions(policy: WebhookRetryPolicy): JobsOptions {
  return {
    attempts: policy.maxAttempts,
    backoff: { type: WEBHOOK_BACKOFF_TYPE, delay: policy.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 24 * 3600, count: 1000 },
  };
}
