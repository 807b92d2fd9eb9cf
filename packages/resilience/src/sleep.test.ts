import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sleep } from './sleep.js';

describe('sleep', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resolves true once the full time has passed, not before', async () => {
    let result: boolean | undefined;
    void sleep(1000).then((value) => {
      result = value;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves false as soon as the signal aborts and clears its timer', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    await expect(waiting).resolves.toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves false at once, without a timer, when the signal is already aborted', async () => {
    const waiting = sleep(60_000, AbortSignal.abort());
    expect(vi.getTimerCount()).toBe(0);
    await expect(waiting).resolves.toBe(false);
  });

  it('removes its abort listener when the time passes, so a long-lived signal does not collect them', async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const waiting = sleep(5, controller.signal);
    await vi.advanceTimersByTimeAsync(5);
    await expect(waiting).resolves.toBe(true);
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
    // An abort after the wait ended changes nothing.
    controller.abort();
    await expect(waiting).resolves.toBe(true);
  });
});
