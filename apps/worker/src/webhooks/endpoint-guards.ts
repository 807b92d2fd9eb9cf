import { type Breaker, type BreakerState, createBreaker } from '@wagw/resilience';

export interface EndpointGuardOptions {
  /** Deliveries in flight per endpoint in this process (WEBHOOK_ENDPOINT_CONCURRENCY). */
  concurrency: number;
  /** WEBHOOK_BREAKER_THRESHOLD / WEBHOOK_BREAKER_RESET. */
  breaker: { threshold: number; resetMs: number };
  onBreakerChange?: (state: BreakerState, name: string) => void;
  /** Entries idle this long with a closed breaker are forgotten. Default 10 min. */
  idleMs?: number;
}

interface Guard {
  breaker: Breaker;
  inFlight: number;
  lastUsedAt: number;
  /** Start times of deliveries in flight through `acquire` (their age says a receiver is hanging). */
  running: Set<{ at: number }>;
  /** Deliveries waiting in this process for a slot, first come first served. */
  waiters: Array<() => void>;
  /** Moving average of recent delivery durations in ms; null until one finished. */
  latencyMs: number | null;
}

/** Weight of the latest duration in the moving average. */
const LATENCY_WEIGHT = 0.2;

/**
 * Per-endpoint isolation inside one worker process: a slot count (so one slow receiver cannot take
 * every delivery slot of the worker) and a circuit breaker (so a dead receiver stops costing a
 * timeout per event). Bounded: endpoints not seen for a while are dropped.
 */
export function createEndpointGuards(options: EndpointGuardOptions) {
  const guards = new Map<string, Guard>();
  const idleMs = options.idleMs ?? 10 * 60_000;

  function guard(endpointId: string): Guard {
    let entry = guards.get(endpointId);
    if (!entry) {
      entry = {
        breaker: createBreaker({
          name: `webhook:${endpointId}`,
          threshold: options.breaker.threshold,
          resetMs: options.breaker.resetMs,
          onStateChange: options.onBreakerChange,
        }),
        inFlight: 0,
        lastUsedAt: Date.now(),
        running: new Set(),
        waiters: [],
        latencyMs: null,
      };
      guards.set(endpointId, entry);
    }
    entry.lastUsedAt = Date.now();
    return entry;
  }

  function sweep(now = Date.now()): void {
    for (const [id, entry] of guards) {
      if (
        entry.inFlight === 0 &&
        entry.waiters.length === 0 &&
        entry.breaker.state() === 'closed' &&
        now - entry.lastUsedAt > idleMs
      ) {
        entry.breaker.dispose();
        guards.delete(id);
      }
    }
  }
  const sweeper = setInterval(sweep, Math.min(idleMs, 60_000));
  sweeper.unref();

  function release(endpointId: string): void {
    const entry = guards.get(endpointId);
    if (!entry) return;
    // A freed slot goes straight to the longest waiter: it never counts as free in between.
    const next = entry.waiters.shift();
    if (next) next();
    else if (entry.inFlight > 0) entry.inFlight -= 1;
  }

  /** How long a slot of this endpoint is expected to stay taken, in ms. */
  function slowest(entry: Guard, now: number): number {
    let oldest = 0;
    for (const slot of entry.running) oldest = Math.max(oldest, now - slot.at);
    return Math.max(entry.latencyMs ?? 0, oldest);
  }

  return {
    breaker: (endpointId: string): Breaker => guard(endpointId).breaker,

    /** Takes a slot; false when the endpoint already has `concurrency` deliveries in flight here. */
    tryAcquire(endpointId: string): boolean {
      const entry = guard(endpointId);
      if (entry.inFlight >= options.concurrency) return false;
      entry.inFlight += 1;
      return true;
    },

    release,

    /**
     * Takes a slot, waiting in this process when one is expected within `budgetMs`: from the
     * endpoint's recent delivery time (or the age of its oldest delivery in flight, if larger: a
     * hanging receiver) and the number already waiting. Null when it is not expected that soon, or
     * did not come within twice the budget: the caller then puts the job back as delayed. Waiting
     * here instead of deferring every job beyond the slot count is what lets one fast endpoint use
     * its slots back to back: deferring 45 of every 50 jobs fetched held a local receiver to 80
     * deliveries/s (bench/webhook-throughput.bench.ts). The returned function frees the slot and
     * records how long the delivery took.
     */
    async acquire(endpointId: string, budgetMs: number): Promise<(() => void) | null> {
      const entry = guard(endpointId);
      const now = Date.now();
      if (entry.inFlight >= options.concurrency) {
        const rounds = Math.ceil((entry.waiters.length + 1) / options.concurrency);
        if (rounds * slowest(entry, now) > budgetMs) return null;
        const granted = await new Promise<boolean>((resolve) => {
          const grant = () => {
            clearTimeout(timer);
            resolve(true);
          };
          const timer = setTimeout(() => {
            const index = entry.waiters.indexOf(grant);
            if (index >= 0) entry.waiters.splice(index, 1);
            resolve(false);
          }, 2 * budgetMs);
          entry.waiters.push(grant);
        });
        if (!granted) return null;
      } else {
        entry.inFlight += 1;
      }
      const slot = { at: Date.now() };
      entry.running.add(slot);
      return () => {
        entry.running.delete(slot);
        const took = Date.now() - slot.at;
        entry.latencyMs =
          entry.latencyMs === null ? took : entry.latencyMs + LATENCY_WEIGHT * (took - entry.latencyMs);
        release(endpointId);
      };
    },

    /** For the heartbeat (and so /api/health): every endpoint breaker this process knows. */
    states(): Record<string, BreakerState> {
      const out: Record<string, BreakerState> = {};
      for (const entry of guards.values()) out[entry.breaker.name] = entry.breaker.state();
      return out;
    },

    sweep,

    close(): void {
      clearInterval(sweeper);
      for (const entry of guards.values()) entry.breaker.dispose();
      guards.clear();
    },
  };
}

export type EndpointGuards = ReturnType<typeof createEndpointGuards>;
