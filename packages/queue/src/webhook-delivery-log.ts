import type { RedisConnection } from './connections.js';
import { redisKeys } from './keys.js';

/** What one delivery attempt came to: a 2xx, a failure that will be retried, or a dead letter. */
export type DeliveryOutcome = 'delivered' | 'retrying' | 'dead_lettered';

/** One attempt to POST one event to one webhook, as the worker saw it. */
export interface DeliveryAttempt {
  eventId: string;
  event: string;
  /** 1 for the first attempt of the event at this endpoint; replays of a dead letter go on counting. */
  attempt: number;
  /** When the attempt ended (ISO 8601). */
  at: string;
  outcome: DeliveryOutcome;
  /** The receiver's HTTP status; null when no complete answer came (timeout, refused, reset). */
  httpStatus: number | null;
  /** Connect to last byte, in ms. */
  durationMs: number;
  /** Why it failed (`HTTP 500`, `timeout after 10000 ms`, …); null when delivered. */
  error: string | null;
  /** True when the attempt replayed a dead letter. */
  replay: boolean;
}

/** Attempts kept per webhook: enough to see a pattern, small enough to read in one call. */
export const DELIVERY_LOG_LENGTH = 100;
/**
 * A webhook's log expires this long after its last attempt (7 days), so logs of deleted webhooks
 * and of ones that stopped receiving do not stay in Redis forever.
 */
const DELIVERY_LOG_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Appends an attempt to the webhook's capped list (newest first) in one MULTI. It is a view for
 * operators, not a record anyone relies on: callers treat it as best effort, like the counters.
 */
export async function recordDeliveryAttempt(
  redis: RedisConnection,
  prefix: string,
  webhookId: string,
  attempt: DeliveryAttempt,
): Promise<void> {
  const key = redisKeys(prefix).webhookDeliveries(webhookId);
  await redis
    .multi()
    .lpush(key, JSON.stringify(attempt))
    .ltrim(key, 0, DELIVERY_LOG_LENGTH - 1)
    .pexpire(key, DELIVERY_LOG_TTL_MS)
    .exec();
}

/** The webhook's most recent attempts, newest first (at most `limit`); entries that do not parse are skipped. */
export async function readDeliveryAttempts(
  redis: RedisConnection,
  prefix: string,
  webhookId: string,
  limit = DELIVERY_LOG_LENGTH,
): Promise<DeliveryAttempt[]> {
  const count = Math.min(Math.max(1, Math.floor(limit)), DELIVERY_LOG_LENGTH);
  const raw = await redis.lrange(redisKeys(prefix).webhookDeliveries(webhookId), 0, count - 1);
  return raw.flatMap((entry) => {
    try {
      const parsed = JSON.parse(entry) as DeliveryAttempt;
      return typeof parsed?.eventId === 'string' && typeof parsed.outcome === 'string' ? [parsed] : [];
    } catch {
      return [];
    }
  });
}
