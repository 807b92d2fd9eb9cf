import { describe, expect, it } from 'vitest';
import { isMostlyWaiting, orderFiles } from './file-order.js';

const file = (name: string, wallS: number, cpuS?: number) => ({
  item: name,
  durationMs: wallS * 1000,
  ...(cpuS === undefined ? {} : { cost: { wallMs: wallS * 1000, cpuMs: cpuS * 1000 } }),
});

describe('orderFiles', () => {
  it('never starts the long waiting files together: two busy files go before each', () => {
    const order = orderFiles([
      file('soak', 130, 40),
      file('redis-faults', 110, 30),
      file('bulk', 105, 65),
      file('media-bulk', 60, 42),
      file('memory', 46, 13),
      file('topology', 57, 40),
      file('unit', 1, 1),
    ]);
    expect(order).toEqual(['bulk', 'media-bulk', 'soak', 'topology', 'unit', 'redis-faults', 'memory']);
  });

  it('is longest first when nothing is known about CPU (a file never measured counts as busy)', () => {
    expect(orderFiles([file('a', 1), file('b', 30), file('c', 5)])).toEqual(['b', 'c', 'a']);
  });

  it('calls a file waiting below 40 % of a core, and not without a measurement', () => {
    expect(isMostlyWaiting({ wallMs: 100_000, cpuMs: 39_000 })).toBe(true);
    expect(isMostlyWaiting({ wallMs: 100_000, cpuMs: 41_000 })).toBe(false);
    expect(isMostlyWaiting(undefined)).toBe(false);
    expect(isMostlyWaiting({ wallMs: 0, cpuMs: 0 })).toBe(false);
  });
});
