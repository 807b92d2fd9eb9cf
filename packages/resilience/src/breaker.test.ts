import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type BreakerState, createBreaker, isBrokenCircuit } from './breaker.js';

const fail = () => Promise.reject(new Error('boom'));
const succeed = () => Promise.resolve('ok');

describe('createBreaker', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('opens after `threshold` consecutive failures and refuses calls without running them', async () => {
    const changes: BreakerState[] = [];
    const breaker = createBreaker({
      name: 'send:s1',
      threshold: 3,
      resetMs: 60_000,
      onStateChange: (state) => changes.push(state),
    });
    for (let i = 0; i < 3; i++) await expect(breaker.execute(fail)).rejects.toThrow('boom');
    expect(breaker.state()).toBe('open');
    expect(changes).toEqual(['open']);
    const fn = vi.fn(succeed);
    const refused = await breaker.execute(fn).catch((err: unknown) => err);
    expect(isBrokenCircuit(refused)).toBe(true);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.retryAfterMs()).toBe(60_000);
  });

  it('a success in between resets the count (consecutive, not total)', async () => {
    const breaker = createBreaker({ name: 'db', threshold: 2, resetMs: 1000 });
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(succeed);
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state()).toBe('closed');
  });

  it('reads half-open once the reset time passed, closes on a successful probe', async () => {
    const changes: BreakerState[] = [];
    const breaker = createBreaker({
      name: 'db',
      threshold: 1,
      resetMs: 30_000,
      onStateChange: (state) => changes.push(state),
    });
    await breaker.execute(fail).catch(() => undefined);
    vi.advanceTimersByTime(29_999);
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(breaker.state()).toBe('half-open');
    expect(breaker.retryAfterMs()).toBe(0);
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    expect(breaker.state()).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe opens it again for another reset period', async () => {
    const breaker = createBreaker({ name: 'db', threshold: 1, resetMs: 10_000 });
    await breaker.execute(fail).catch(() => undefined);
    vi.advanceTimersByTime(10_000);
    await expect(breaker.execute(fail)).rejects.toThrow('boom');
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(10_000);
    breaker.dispose();
  });
});
