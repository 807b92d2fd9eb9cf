import { z } from 'zod';

/** The event name of a test delivery (docs/events.md#webhooktest). */
export const TEST_EVENT = 'webhook.test';

export const testEventResponse = z.object({
  eventId: z.string().describe('the envelope id: the `webhook-id` header of the delivery'),
  event: z
    .record(z.string(), z.unknown())
    .describe('the `webhook.test` envelope queued for delivery to this webhook only'),
});

export const listDeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const deliveryAttempt = z.object({
  eventId: z.string(),
  event: z.string(),
  attempt: z.number().describe('1 for the first attempt at this endpoint; replays go on counting'),
  at: z.string().describe('when the attempt ended'),
  outcome: z
    .enum(['delivered', 'retrying', 'dead_lettered'])
    .describe('a 2xx; a failure that will be retried; a failure that made a dead letter'),
  httpStatus: z.number().nullable().describe("the receiver's HTTP status; null when none came back"),
  durationMs: z.number().describe('connect to last byte'),
  error: z.string().nullable(),
  replay: z.boolean().describe('the attempt replayed a dead letter'),
});

export const listDeliveriesResponse = z.object({
  items: z.array(deliveryAttempt).describe('newest first; the last 100 attempts at most, kept 7 days'),
});
