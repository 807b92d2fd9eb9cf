/**
 * The order test files start in: longest first, with the files that mostly wait (on timers, backoff,
 * a frozen Redis) spread out so that two or three of them never hold all of vitest's forks at once
 * while the cores idle. Longest first alone started the soak (2 min, ~30 % CPU), the Redis fault
 * file (~2 min, ~27 %) and the bulk send together, and both cores ran at 40-75 % for the first two
 * minutes of every run.
 */

export interface FileCost {
  /** Wall time of the file in a full run, in ms. */
  wallMs: number;
  /** CPU it cost (its fork plus the processes it started), in ms. */
  cpuMs: number;
}

export interface OrderedFile<T> {
  item: T;
  /** Best estimate of the file's wall time, in ms (longest first uses it). */
  durationMs: number;
  /** Its cost in an earlier full run, when known. */
  cost?: FileCost;
}

/**
 * Below this share of one core (CPU ÷ wall, in a full run where three files share two cores, so a
 * file that never waits shows ~0.65) a file counts as mostly waiting.
 */
const WAITING_SHARE = 0.4;

/** How many busy files go before each waiting one. */
const BUSY_PER_WAITING = 2;

export function isMostlyWaiting(cost: FileCost | undefined): boolean {
  return cost !== undefined && cost.wallMs > 0 && cost.cpuMs / cost.wallMs < WAITING_SHARE;
}

/**
 * Longest first within each kind, then merged: two busy files, one waiting file, and so on, so
 * each waiting file runs beside files that keep the cores busy. Stable for equal durations.
 */
export function orderFiles<T>(files: ReadonlyArray<OrderedFile<T>>): T[] {
  const longestFirst = [...files].sort((a, b) => b.durationMs - a.durationMs);
  const waiting = longestFirst.filter((f) => isMostlyWaiting(f.cost));
  const busy = longestFirst.filter((f) => !isMostlyWaiting(f.cost));
  const order: T[] = [];
  while (waiting.length > 0 || busy.length > 0) {
    for (let i = 0; i < BUSY_PER_WAITING && busy.length > 0; i++) order.push(busy.shift()!.item);
    if (waiting.length > 0) order.push(waiting.shift()!.item);
  }
  return order;
}
