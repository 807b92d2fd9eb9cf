import { MESSAGE_STATUSES } from '@wagw/db';
import { z } from 'zod';

/**
 * Largest bulk request. 10,000 text messages are ~1 MB of JSON, inserted in one transaction
 * (~0.2 s on SQLite) and enqueued in 10 addBulk calls; larger batches are split by the client.
 */
export const MAX_BULK_MESSAGES = 10_000;

/**
 * Items are checked one by one by the service (not here), so every bad item is reported with its
 * index and its own code instead of the first zod issue of the whole array.
 */
export const bulkBody = z.strictObject({
  messages: z.array(z.unknown()).min(1),
});

export const batchParams = z.object({ id: z.string().min(1).max(128) });

export const acceptedBatch = z.object({
  batchId: z.string(),
  count: z.number(),
  statusUrl: z.string(),
});
export type AcceptedBatch = z.infer<typeof acceptedBatch>;

const counts = z.object(
  Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, z.number()])) as Record<
    (typeof MESSAGE_STATUSES)[number],
    z.ZodNumber
  >,
);

export const batchView = z.object({
  batchId: z.string(),
  sessionId: z.string(),
  total: z.number(),
  counts,
});

export const cancelledBatchView = batchView.extend({
  /** Rows this request moved from queued to cancelled. */
  cancelled: z.number(),
  /** Their jobs removed from the send queue (an active job is left to finish; the worker skips cancelled rows). */
  jobsRemoved: z.number(),
});
