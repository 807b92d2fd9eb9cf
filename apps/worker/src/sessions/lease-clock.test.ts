import { describe, expect, it } from 'vitest';
import { LeaseClock } from './lease-clock.js';

describe('LeaseClock', () => {
  it('trusts the lease only until ttl - margin after the renewal was sent', () => {
    let now = 1000;
    const clock = new LeaseClock(10_000, 2000, () => now);
    expect(clock.isValid()).toBe(false);
    clock.confirmed(1000);
    now = 8999;
    expect(clock.isValid()).toBe(true);
    now = 9000;
    expect(clock.isValid()).toBe(false);
    clock.confirmed(9000);
    expect(clock.remainingMs()).toBe(8000);
    clock.invalidate();
    expect(clock.isValid()).toBe(false);
  });
});
