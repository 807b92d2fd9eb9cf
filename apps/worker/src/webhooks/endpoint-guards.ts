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
}

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
      };
      guards.set(endpointId, entry);
    }
    entry.lastUsedAt = Date.now();
    return entry;
  }

  function sweep(now = Date.now()): void {
    for (const [id, entry] of guards) {
      if (entry.inFlight === 0 && entry.breaker.state() === 'closed' && now - entry.lastUsedAt > idleMs) {
        entry.breaker.dispose();
        guards.delete(id);
      }
    }
  }
  const sweeper = setInterval(sweep, Math.min(idleMs, 60_000));
  sweeper.unref();

  return {
    breaker: (endpointId: string): Breaker => guard(endpointId).breaker,

    /** Takes a slot; false when the endpoint already has `concurrency` deliveries in flight here. */
    tryAcquire(endpointId: string): boolean {
      const entry = guard(endpointId);
      if (entry.inFlight >= options.concurrency) return false;
      entry.inFlight += 1;
      return true;
    },

    release(endpointId: string): void {
      const entry = guards.get(endpointId);
      if (entry && entry.inFlight > 0) entry.inFlight -= 1;
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
