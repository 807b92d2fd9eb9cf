import type { Logger } from '@wagw/logger';

/** Deletes published events from the event outbox (through the worker's database breaker). */
export interface OutboxStore {
  remove(ids: string[]): Promise<void>;
}

/** Ids collected before one DELETE; a bulk's status events are deleted in a few statements. */
const BATCH = 200;
const DELAY_MS = 100;

/**
 * Batches the outbox deletes of published events: one statement per 100 ms or 200 events instead
 * of one per event, so the outbox costs a status update one insert in its transaction and a share
 * of a delete. A delete that fails leaves the rows; the relay publishes them again later under the
 * same event ids, which webhook delivery and receivers deduplicate on.
 */
export function createOutboxRemovals(store: OutboxStore | undefined, logger: Logger) {
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const ids = pending;
    pending = [];
    if (!store || ids.length === 0) return inFlight;
    inFlight = inFlight.then(() =>
      store
        .remove(ids)
        .catch((err) => logger.warn({ err, count: ids.length }, 'deleting published outbox events failed')),
    );
    return inFlight;
  }

  return {
    add(id: string): void {
      if (!store) return;
      pending.push(id);
      if (pending.length >= BATCH) void flush();
      else timer ??= setTimeout(() => void flush(), DELAY_MS);
    },
    flush,
  };
}
