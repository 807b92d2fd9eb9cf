import { setImmediate as tick } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { trackHeapAfterGc } from './heap-after-gc.js';

// `gc()` without starting the test process with --expose-gc: the flag, then a fresh context.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let tracker: ReturnType<typeof trackHeapAfterGc> | undefined;
afterEach(() => tracker?.stop());

async function collected() {
  gc();
  // Entries reach the observer on a later turn of the event loop.
  for (let i = 0; i < 10; i++) await tick();
}

describe('trackHeapAfterGc', () => {
  it('reports nothing before the first full collection', () => {
    tracker = trackHeapAfterGc();
    expect(tracker.stats()).toEqual({ heapAfterGc: null, fullCollections: 0 });
  });

  it('follows what survives full collections: up while held, down once released', async () => {
    tracker = trackHeapAfterGc();
    await collected();
    const before = tracker.stats();
    expect(before.fullCollections).toBeGreaterThanOrEqual(1);
    expect(before.heapAfterGc).toBeGreaterThan(0);

    // ~40 MB kept alive across the collection, then dropped.
    let held: number[][] | null = Array.from({ length: 50 }, () => new Array(100_000).fill(1.5));
    await collected();
    const holding = tracker.stats().heapAfterGc!;
    expect(holding - before.heapAfterGc!).toBeGreaterThan(30e6);
    expect(held.length).toBe(50);

    held = null;
    await collected();
    expect(tracker.stats().heapAfterGc!).toBeLessThan(holding - 30e6);
    expect(tracker.stats().fullCollections).toBeGreaterThanOrEqual(before.fullCollections + 2);
  });
});
