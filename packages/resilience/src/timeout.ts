import { TaskCancelledError, TimeoutStrategy, timeout } from 'cockatiel';

/** What `withTimeout` rejects with when the operation did not settle in time. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';

  constructor(
    /** The bound that was exceeded, in ms. */
    readonly ms: number,
  ) {
    super(`operation timed out after ${ms} ms`);
  }
}

/**
 * Runs `operation` with an upper bound of `ms`. On timeout it rejects at once with a
 * `TimeoutError` (not waiting for the operation to notice) and aborts the signal the operation was
 * given, so work that honours the signal stops too. The signal is also aborted once the operation
 * settles, which releases anything still listening on it. Errors from the operation pass through.
 */
export async function withTimeout<T>(operation: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const policy = timeout(ms, TimeoutStrategy.Aggressive);
  // Only the policy's own timeout becomes a TimeoutError: a TaskCancelledError thrown by the
  // operation itself (e.g. an inner cockatiel policy) is its own failure and passes through.
  let timedOut = false;
  const subscription = policy.onTimeout(() => {
    timedOut = true;
  });
  try {
    return await policy.execute((_context, signal) => operation(signal));
  } catch (err) {
    if (timedOut && err instanceof TaskCancelledError) throw new TimeoutError(ms);
    throw err;
  } finally {
    subscription.dispose();
  }
}
