export interface PlannedFile<T> {
  item: T;
  /** Expected duration. */
  ms: number;
  /** Counts against the cap on heavy files running at once. */
  heavy: boolean;
}

/**
 * The order in which to hand files to a pool of `slots` workers that takes the next file whenever
 * one finishes: a simulation of that pool, longest remaining file first, except that a heavy file
 * waits while `maxHeavy` heavy files run (a light one takes the slot meanwhile, or the slot idles
 * until a heavy one ends if no light file is left). Real durations differ from the estimates, so
 * the cap holds approximately; the order alone is what the pool sees.
 */
export function planOrder<T>(files: Array<PlannedFile<T>>, slots: number, maxHeavy: number): T[] {
  const remaining = [...files].sort((a, b) => b.ms - a.ms);
  const running: Array<{ end: number; heavy: boolean }> = [];
  const order: T[] = [];
  let now = 0;
  while (remaining.length > 0) {
    const heavyRunning = running.filter((r) => r.heavy).length;
    const index =
      running.length < Math.max(1, slots)
        ? remaining.findIndex((f) => !f.heavy || heavyRunning < maxHeavy)
        : -1;
    if (index >= 0) {
      const [next] = remaining.splice(index, 1);
      order.push(next!.item);
      running.push({ end: now + next!.ms, heavy: next!.heavy });
      continue;
    }
    // No slot, or only heavy files left with the cap reached: time moves to the next file's end.
    running.sort((a, b) => a.end - b.end);
    const finished = running.shift();
    if (!finished) {
      // Unreachable with slots >= 1 and maxHeavy >= 1; never loop forever on bad arguments.
      order.push(...remaining.map((f) => f.item));
      break;
    }
    now = finished.end;
  }
  return order;
}
