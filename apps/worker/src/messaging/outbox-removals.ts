import type { Logger } from '@wagw/logger';

/** Deletes published events from the event outbox (through the worker's database breaker). */
export interface OutboxStore {
  remove(ids: string[]): Promise<void>;
}

/** Ids collected before one DELETE; a bulk's status events are deleted in a few statements. */
const BATCH = 200;
const DELAY_MS = 100;
/**
 * While no replica confirms, ask again at most this often. WAIT holds the publishing connection
 * (leases, events) until it answers; after a Sentinel failover the new master has no replica in
 * sync for ~15 s, and a WAIT per batch slowed every send behind it to a crawl for that long.
 */
const RECHECK_MS = 1000;

/**
 * Batches the outbox deletes of published events: one statement per 100 ms or 200 events instead
 * of one per event, so the outbox costs a status update one insert in its transaction and a share
 * of a delete (on Sentinel, also one WAIT for a replica per batch). A delete that fails leaves the rows; the relay publishes them again later under the
 * same event ids, which webhook delivery and receivers deduplicate on.
 */
export function createOutboxRemovals(
  store: OutboxStore | undefined,
  logger: Logger,
  /**
   * Whether the published events reached a Redis replica (`replicaAck`, Sentinel only): until they
   * have, their outbox rows are the only copy a failover cannot take, so they stay for the relay.
   */
  replicated?: () => Promise<boolean>,
) {
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let unconfirmed = false;
  let lastCheck = 0;

  async function confirmed(check: () => Promise<boolean>): Promise<boolean> {
    if (unconfirmed && Date.now() - lastCheck < RECHECK_MS) return false;
    lastCheck = Date.now();
    return check();
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const ids = pending;
    pending = [];
    if (!store || ids.length === 0) return inFlight;
    inFlight = inFlight.then(async () => {
      if (replicated && !(await confirmed(replicated))) {
        // Once per spell without a replica (a failover leaves none in sync for ~15 s), not per batch.
        if (!unconfirmed)
          logger.warn(
            { count: ids.length },
            'published events not confirmed by a Redis replica; their outbox rows stay for the relay',
          );
        unconfirmed = true;
        return;
      }
      if (unconfirmed) logger.info('a Redis replica confirms published events again');
      unconfirmed = false;
      await store
        .remove(ids)
        .catch((err) => logger.warn({ err, count: ids.length }, 'deleting published outbox events failed'));
    });
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
