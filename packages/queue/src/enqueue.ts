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
