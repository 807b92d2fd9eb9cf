import { bulkhead } from 'cockatiel';

/** Limits how many calls run at once; the rest wait their turn in arrival order. */
export interface Bulkhead {
  /**
   * Runs `fn` when a slot is free. Rejects with cockatiel's `BulkheadRejectedError`, without
   * calling `fn`, only when `limit` calls are running and the wait queue is full.
   */
  execute<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * A bulkhead on cockatiel: at most `limit` calls of `execute` run at the same time. `queue` is how
 * many more may wait for a slot; the default is unbounded, for callers that must all run
 * eventually and only need spreading out (the worker's reconnects after a Redis or network outage).
 */
export function createBulkhead(limit: number, queue = Number.POSITIVE_INFINITY): Bulkhead {
  const policy = bulkhead(limit, queue);
  return { execute: (fn) => policy.execute(() => fn()) };
}
