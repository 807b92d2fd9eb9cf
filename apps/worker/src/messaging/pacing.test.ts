import { describe, expect, it } from 'vitest';
import {
  dailyCap,
  jitterDelay,
  limiterFor,
  msUntilUtcMidnight,
  rateOverlimitPause,
  typingDelay,
} from './pacing.js';
import { TtlCache } from './ttl-cache.js';

const defaults = {
  perMinute: 20,
  jitterMs: 1000,
  typing: { enabled: true, msPerChar: 40, maxMs: 5000 },
  dailyCap: { max: 1000, base: 50 },
};

describe('pacing', () => {
  it('spaces sends evenly: one per 60000/perMinute ms, the session setting first', () => {
    expect(limiterFor({}, defaults)).toEqual({ max: 1, duration: 3000 });
    expect(limiterFor({ pacing: { perMinute: 10 } }, defaults)).toEqual({ max: 1, duration: 6000 });
  });

  it('jitter is within [0, SEND_JITTER_MS] or the session range', () => {
    expect(jitterDelay({}, defaults, () => 0)).toBe(0);
    expect(jitterDelay({}, defaults, () => 0.999)).toBe(999);
    expect(jitterDelay({ pacing: { minDelayMs: 2000, maxDelayMs: 4000 } }, defaults, () => 0.5)).toBe(3000);
    expect(jitterDelay({}, { ...defaults, jitterMs: 0 }, Math.random)).toBe(0);
  });

  it('typing time grows with the text and is capped', () => {
    expect(typingDelay(10, defaults.typing)).toBe(400);
    expect(typingDelay(10_000, defaults.typing)).toBe(5000);
    expect(typingDelay(10, { ...defaults.typing, enabled: false })).toBe(0);
    expect(typingDelay(0, defaults.typing)).toBe(0);
  });

  it('the daily cap doubles per day of age up to the maximum (warm-up)', () => {
    const created = new Date('2025-01-01T12:00:00Z');
    const day = (n: number) => new Date(created.getTime() + n * 86_400_000 + 1000);
    expect([0, 1, 2, 3, 4, 5, 30].map((n) => dailyCap(created, day(n), defaults.dailyCap))).toEqual([
      50, 100, 200, 400, 800, 1000, 1000,
    ]);
    expect(dailyCap(created, day(3), { max: 0, base: 50 })).toBeUndefined();
  });

  it('waits until the next UTC midnight', () => {
    expect(msUntilUtcMidnight(new Date('2025-03-04T23:59:59.000Z'))).toBe(1000);
  });

  it('backs off exponentially on rate-overlimit, capped at 10 minutes', () => {
    expect([1, 2, 3, 10].map(rateOverlimitPause)).toEqual([10_000, 20_000, 40_000, 600_000]);
  });
});

describe('TtlCache', () => {
  it('evicts the least recently used entry and expires by time', () => {
    let now = 0;
    const cache = new TtlCache<number>(2, 100, () => now);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    now = 100;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});
