import { describe, expect, it } from 'vitest';
import { type PlannedFile, planOrder } from './test-plan.js';

const file = (item: string, ms: number, heavy = false): PlannedFile<string> => ({ item, ms, heavy });

/** Replays an order through a pool of `slots`: the most heavy files that ran at once, and the end. */
function replay(order: string[], files: Array<PlannedFile<string>>, slots: number) {
  const byName = new Map(files.map((f) => [f.item, f]));
  let running: Array<{ end: number; heavy: boolean }> = [];
  let now = 0;
  let maxHeavy = 0;
  for (const name of order) {
    if (running.length === slots) {
      running.sort((a, b) => a.end - b.end);
      now = running.shift()!.end;
    }
    const f = byName.get(name)!;
    running.push({ end: now + f.ms, heavy: f.heavy });
    running = running.filter((r) => r.end > now);
    maxHeavy = Math.max(maxHeavy, running.filter((r) => r.heavy).length);
  }
  return { maxHeavy, end: Math.max(...running.map((r) => r.end)) };
}

describe('planOrder', () => {
  it('without heavy files: longest first', () => {
    const files = [file('a', 1), file('b', 30), file('c', 10)];
    expect(planOrder(files, 2, 2)).toEqual(['b', 'c', 'a']);
  });

  it('never starts a third heavy file while two run: a light one takes the slot', () => {
    const files = [
      file('h1', 200, true),
      file('h2', 180, true),
      file('h3', 150, true),
      file('h4', 120, true),
      ...Array.from({ length: 40 }, (_, i) => file(`l${i}`, 20)),
    ];
    const order = planOrder(files, 4, 2);
    expect(order.slice(0, 2)).toEqual(['h1', 'h2']);
    expect(order.slice(2, 4)).toEqual(['l0', 'l1']);
    expect(new Set(order)).toEqual(new Set(files.map((f) => f.item)));
    const planned = replay(order, files, 4);
    expect(planned.maxHeavy).toBe(2);
    // Every file runs exactly once and the total is close to the ideal packing (1,450 / 4 ≈ 362).
    expect(planned.end).toBeLessThan(450);
  });

  it('with only heavy files left, the plan waits for one to end instead of breaking the cap', () => {
    const files = [file('h1', 100, true), file('h2', 100, true), file('h3', 100, true)];
    const order = planOrder(files, 4, 2);
    expect(order).toHaveLength(3);
    expect(replay(order, files, 2).maxHeavy).toBe(2);
  });

  it('degenerate arguments still return every file once', () => {
    const files = [file('a', 5, true), file('b', 3, true)];
    expect(planOrder(files, 0, 0).sort()).toEqual(['a', 'b']);
  });
});
