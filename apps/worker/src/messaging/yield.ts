import { setImmediate } from 'node:timers/promises';

/** Longest stretch a batch handler runs before letting timers and I/O in, in ms. */
const SLICE_MS = 20;

/**
 * Lets timers and I/O run between items of a long batch. SQLite calls are synchronous, so a loop
 * of `await`ed inserts only yields to microtasks: Baileys flushing 1,000 buffered messages at once
 * blocked the worker for seconds, long enough for its lease clock to expire and stop the session
 * (measured with the 1,000-message inbound test and a 3 s lease).
 */
export function createYielder(sliceMs = SLICE_MS) {
  let since = performance.now();
  return async function maybeYield(): Promise<void> {
    if (performance.now() - since < sliceMs) return;
    await setImmediate();
    since = performance.now();
  };
}
