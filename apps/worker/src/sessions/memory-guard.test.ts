import { describe, expect, it } from 'vitest';
import { createMemoryGuard } from './memory-guard.js';

describe('memory guard', () => {
  const at = (heap: { used: number }) =>
    createMemoryGuard({ refuseRatio: 0.8, shedRatio: 0.9, limitBytes: 100, used: () => heap.used });

  it('refuses above the refuse line, sheds above the shed line, and resumes only clearly below', () => {
    const heap = { used: 50 };
    const guard = at(heap);
    expect(guard.check()).toBe('ok');
    heap.used = 82;
    expect(guard.refusing()).toBe(true);
    heap.used = 91;
    expect(guard.check()).toBe('shedding');
    heap.used = 78; // below the line but within the hysteresis: still refusing
    expect(guard.check()).toBe('refusing');
    heap.used = 74;
    expect(guard.check()).toBe('ok');
    expect(guard.stats()).toEqual({ state: 'ok', heapUsed: 74, heapLimit: 100 });
  });

  it('counts sessions claimed but not open yet at the per-session figure, learned once enough are open', () => {
    const heap = { used: 40 * 2 ** 20 };
    const guard = createMemoryGuard({
      refuseRatio: 0.5,
      shedRatio: 0.9,
      limitBytes: 100 * 2 ** 20,
      used: () => heap.used,
    });
    // 40 MiB used, 10 MiB left below the line: 19 pending logins at 0.5 MiB fit, 21 do not.
    expect(guard.refusing({ owned: 19, open: 0 })).toBe(false);
    expect(guard.refusing({ owned: 21, open: 0 })).toBe(true);
    // 20 open sessions took 2 MiB more: 0.1 MiB each is below a quarter of the default, which is the floor.
    heap.used = 42 * 2 ** 20;
    expect(guard.refusing({ owned: 20, open: 20 })).toBe(false);
    expect(guard.refusing({ owned: 80, open: 20 })).toBe(false);
    expect(guard.refusing({ owned: 90, open: 20 })).toBe(true);
  });

  it("reads this process's heap limit by default", () => {
    const guard = createMemoryGuard({ refuseRatio: 0.8, shedRatio: 0.9 });
    expect(guard.stats().heapLimit).toBeGreaterThan(guard.stats().heapUsed);
  });
});
