import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/**
 * The heap in use right after the last full (mark-compact) collection: what the process really
 * retains. `heapUsed` saws between collections by tens of megabytes, so a leak hides in it for
 * minutes; the post-collection figure climbs with the leak and nothing else. V8 reports each
 * collection to a `gc` performance observer shortly after it ends, before much is allocated again.
 */
export function trackHeapAfterGc() {
  let bytes: number | null = null;
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // `detail` (Node >= 16) is missing from this @types/node's PerformanceEntry.
      const { detail } = entry as { detail?: { kind?: number } };
      if (detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      collections++;
      bytes = getHeapStatistics().used_heap_size;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    /** Bytes after the last full collection, `null` until the first one. */
    stats: () => ({ heapAfterGc: bytes, fullCollections: collections }),
    stop: () => observer.disconnect(),
  };
}
