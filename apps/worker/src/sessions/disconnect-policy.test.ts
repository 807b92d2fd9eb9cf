import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, decideOnDisconnect } from './disconnect-policy.js';

describe('decideOnDisconnect', () => {
  it.each([
    [515, { kind: 'restart', status: 'connecting' }],
    [401, { kind: 'terminal', status: 'logged_out', clearAuth: true }],
    [403, { kind: 'terminal', status: 'failed', clearAuth: false }],
    [440, { kind: 'terminal', status: 'conflict', clearAuth: false }],
    [411, { kind: 'terminal', status: 'needs_pairing', clearAuth: false }],
    [408, { kind: 'backoff', status: 'reconnecting' }],
    [428, { kind: 'backoff', status: 'reconnecting' }],
    [500, { kind: 'backoff', status: 'reconnecting' }],
    [503, { kind: 'backoff', status: 'reconnecting' }],
    [undefined, { kind: 'backoff', status: 'reconnecting' }],
  ])('code %s → %j', (code, action) => {
    expect(decideOnDisconnect(code)).toEqual(action);
  });
});

describe('backoffDelay', () => {
  const exact = { ...DEFAULT_BACKOFF, jitter: 0 };

  it('defaults to 3 s, 6 s, 12 s, then nothing', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, exact))).toEqual([3000, 6000, 12_000, undefined]);
  });

  it('keeps jitter within the configured spread', () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0)).toBe(2400);
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0.999_999)).toBe(3600);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(2, DEFAULT_BACKOFF)!;
      expect(delay).toBeGreaterThanOrEqual(4800);
      expect(delay).toBeLessThanOrEqual(7200);
    }
  });

  it('honours a configured base, factor and attempt count', () => {
    const schedule = { baseMs: 100, factor: 3, maxAttempts: 4, jitter: 0 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, schedule))).toEqual([100, 300, 900, 2700, undefined]);
    expect(backoffDelay(0, schedule)).toBeUndefined();
  });
});
