import { TaskCancelledError } from 'cockatiel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError, withTimeout } from './timeout.js';

describe('withTimeout', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('returns the value of an operation that settles in time', async () => {
    await expect(withTimeout(async () => 42, 1000)).resolves.toBe(42);
  });

  it('rejects with TimeoutError after ms without waiting for the operation, and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const result = withTimeout((signal) => {
      seen = signal;
      return new Promise<never>(() => undefined); // never settles
    }, 500);
    const settled = result.catch((err: unknown) => err);
    await vi.advanceTimersByTimeAsync(499);
    expect(seen?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const err = await settled;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).ms).toBe(500);
    expect((err as TimeoutError).message).toBe('operation timed out after 500 ms');
    expect(seen?.aborted).toBe(true);
  });

  it('swallows a rejection that arrives after the timeout (vitest fails a run on an unhandled one)', async () => {
    const result = withTimeout(
      () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('late')), 20)),
      5,
    ).catch((err: unknown) => err);
    await vi.advanceTimersByTimeAsync(5);
    expect(await result).toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(20);
  });

  it("passes the operation's own errors through unchanged", async () => {
    const boom = new Error('boom');
    await expect(withTimeout(() => Promise.reject(boom), 1000)).rejects.toBe(boom);
  });

  it('does not turn a TaskCancelledError thrown by the operation itself into a TimeoutError', async () => {
    const inner = new TaskCancelledError('inner');
    await expect(withTimeout(() => Promise.reject(inner), 1000)).rejects.toBe(inner);
  });

  it('leaves no timer behind once the operation settled', async () => {
    await withTimeout(async () => 'done', 60_000);
    expect(vi.getTimerCount()).toBe(0);
  });
});
