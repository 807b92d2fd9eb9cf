import { getHeapStatistics } from 'node:v8';

export type MemoryState = 'ok' | 'refusing' | 'shedding';

export interface MemoryGuardOptions {
  /** MEMORY_REFUSE_RATIO: above this share of the heap limit the worker claims no new session. */
  refuseRatio: number;
  /** MEMORY_SHED_RATIO: above this share it also hands sessions over to other workers. */
  shedRatio: number;
  /** The V8 heap limit (`--max-old-space-size` and the young generation). Default: this process's. */
  limitBytes?: number;
  /** Heap in use. Default: `process.memoryUsage().heapUsed`. */
  used?: () => number;
}

/** How far below the refuse line the heap must fall before claiming resumes (no flapping). */
const HYSTERESIS = 0.05;
/**
 * Heap a session takes once it is open, until measured: ~0.5 MiB in the worker during logins
 * (apps/worker/test/memory-pressure.e2e.test.ts); idle sessions settle lower (docs/benchmarks.md).
 */
const DEFAULT_SESSION_BYTES = 512 * 1024;
/** Open sessions needed before the per-session figure is taken from this process's own heap. */
const MEASURE_FROM = 10;

/**
 * A worker's answer to "may I take more?" from its V8 heap. Node aborts the whole process when the
 * heap limit is reached, taking every session with it; well before that, the worker stops claiming
 * sessions (others take them, or they wait for capacity, visibly) and, higher still, hands some of
 * its own over. Checked at each reconcile pass and claim, never on a hot path.
 */
export function createMemoryGuard(options: MemoryGuardOptions) {
  const limit = options.limitBytes ?? getHeapStatistics().heap_size_limit;
  const used = options.used ?? (() => process.memoryUsage().heapUsed);
  // What the heap holds without sessions: the figure at start, before any was claimed.
  const baseline = used();
  let state: MemoryState = 'ok';
  let perSession = DEFAULT_SESSION_BYTES;

  /**
   * `sessions`: owned and how many of them are open. Sessions claimed but not open yet have not
   * grown the heap: a worker claims dozens in one pass (a restart, a failover) well before their
   * logins allocate, so they count at the per-session figure, or the line is crossed only later.
   */
  function check(sessions?: { owned: number; open: number }): MemoryState {
    const heap = used();
    if (sessions && sessions.open >= MEASURE_FROM)
      perSession = Math.max(DEFAULT_SESSION_BYTES / 4, (heap - baseline) / sessions.open);
    const pending = sessions ? Math.max(0, sessions.owned - sessions.open) : 0;
    const share = (heap + pending * perSession) / limit;
    if (share >= options.shedRatio) state = 'shedding';
    else if (share >= options.refuseRatio) state = 'refusing';
    else if (state === 'ok' || share < options.refuseRatio - HYSTERESIS) state = 'ok';
    else state = 'refusing';
    return state;
  }

  return {
    check,
    /** True while new sessions must not be claimed (refreshes the state). */
    refusing: (sessions?: { owned: number; open: number }) => check(sessions) !== 'ok',
    /** For the heartbeat and health. */
    stats: () => ({ state, heapUsed: used(), heapLimit: limit }),
  };
}

export type MemoryGuard = ReturnType<typeof createMemoryGuard>;
