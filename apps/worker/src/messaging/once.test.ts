import { describe, expect, it, vi } from 'vitest';
import { once } from './once.js';

describe('once', () => {
  it('builds on the first call only, and peek never builds', () => {
    const make = vi.fn(() => ({ built: true }));
    const value = once(make);
    expect(value.peek()).toBeUndefined();
    expect(make).not.toHaveBeenCalled();
    const first = value();
    expect(value()).toBe(first);
    expect(value.peek()).toBe(first);
    expect(make).toHaveBeenCalledTimes(1);
  });

  it('keeps an undefined result instead of building again', () => {
    const make = vi.fn(() => undefined);
    const value = once(make);
    value();
    value();
    expect(make).toHaveBeenCalledTimes(1);
  });

  it('builds again after a throw: nothing was kept', () => {
    let calls = 0;
    const value = once(() => {
      calls += 1;
      if (calls === 1) throw new Error('first build failed');
      return calls;
    });
    expect(() => value()).toThrow('first build failed');
    expect(value()).toBe(2);
  });
});
