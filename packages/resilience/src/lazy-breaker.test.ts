import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type BreakerState, isBrokenCircuit } from './breaker.js';
import { LazyBreaker } from './lazy-breaker.js';

const fail = () => Promise.reject(new Error('boom'));

describe('LazyBreaker', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('reads closed with nothing to wait for before its first call, and disposes without one', () => {
    const breaker = new LazyBreaker({ name: 'send:idle', threshold: 1, resetMs: 1000 });
    expect(breaker.name).toBe('send:idle');
    expect(breaker.state()).toBe('closed');
    expect(breaker.retryAfterMs()).toBe(0);
    breaker.dispose();
  });

  it('once called it is the breaker: opens at the threshold, refuses, reports, half-opens', async () => {
    const changes: BreakerState[] = [];
    const breaker = new LazyBreaker({
      name: 'send:s1',
      threshold: 2,
      resetMs: 60_000,
      onStateChange: (state) => changes.push(state),
    });
    expect(await breaker.execute(() => Promise.resolve('ok'))).toBe('ok');
    for (let i = 0; i < 2; i++) await expect(breaker.execute(fail)).rejects.toThrow('boom');
    expect(breaker.state()).toBe('open');
    expect(changes).toEqual(['open']);
    const fn = vi.fn(() => Promise.resolve('not run'));
    expect(isBrokenCircuit(await breaker.execute(fn).catch((err: unknown) => err))).toBe(true);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.retryAfterMs()).toBe(60_000);
    vi.advanceTimersByTime(60_000);
    expect(breaker.state()).toBe('half-open');
    breaker.dispose();
  });
});
