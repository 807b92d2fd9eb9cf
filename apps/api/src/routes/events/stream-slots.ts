import { AppError } from '@wagw/errors';

export interface StreamSlotLimits {
  /** Open streams on this replica, whoever holds them (SSE_MAX_STREAMS). */
  maxTotal: number;
  /** Open streams per API key on this replica (SSE_MAX_STREAMS_PER_KEY). */
  maxPerKey: number;
}

/** A reserved stream slot. `release()` may be called any number of times; it frees the slot once. */
export interface StreamSlot {
  release(): void;
}

/** How long a refused client should wait: long enough for a stream to close, short for a dashboard. */
const RETRY_AFTER_S = 5;

/**
 * Counts open SSE streams per key and in total. `acquire` checks and reserves in one synchronous
 * step: a burst of 2,000 requests with one key once held 600 streams against a cap of 100 because
 * the count was checked before an await and raised after it (issue #18), so every request in the
 * burst saw the same count.
 */
export function createStreamSlots(limits: StreamSlotLimits) {
  const perKey = new Map<string, number>();
  let total = 0;

  return {
    /**
     * Reserves a slot for `key` or throws: 429 TOO_MANY_EVENT_STREAMS when the key holds its share
     * (the caller can free one), 503 SERVICE_OVERLOADED when the replica is full.
     */
    acquire(key: string): StreamSlot {
      const held = perKey.get(key) ?? 0;
      if (held >= limits.maxPerKey) {
        throw new AppError(
          'TOO_MANY_EVENT_STREAMS',
          `this key already holds ${limits.maxPerKey} event streams`,
          {
            retryAfter: RETRY_AFTER_S,
          },
        );
      }
      if (total >= limits.maxTotal) {
        throw new AppError('SERVICE_OVERLOADED', `too many open event streams (${limits.maxTotal})`, {
          retryAfter: RETRY_AFTER_S,
        });
      }
      perKey.set(key, held + 1);
      total += 1;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          total -= 1;
          const left = (perKey.get(key) ?? 1) - 1;
          if (left > 0) perKey.set(key, left);
          else perKey.delete(key);
        },
      };
    },
    /** Open streams in total and for `key` (metrics, tests). */
    count(key?: string): number {
      return key === undefined ? total : (perKey.get(key) ?? 0);
    },
  };
}

export type StreamSlots = ReturnType<typeof createStreamSlots>;
