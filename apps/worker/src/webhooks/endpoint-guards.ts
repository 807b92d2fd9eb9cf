import { randomUUID } from 'node:crypto';
import { type RedisConnection, redisKeys } from '@wagw/queue';
import type { BreakerState } from '@wagw/resilience';
import { ENTER, LEAVE, READ_BREAKERS, RENEW } from './endpoint-guard-scripts.js';

export interface EndpointGuardOptions {
  /** Shared Redis (the producer connection) and the deployment's key prefix. */
  redis: RedisConnection;
  prefix: string;
  /** Deliveries in flight per endpoint across all workers (WEBHOOK_ENDPOINT_CONCURRENCY). */
  concurrency: number;
  /** WEBHOOK_BREAKER_THRESHOLD / WEBHOOK_BREAKER_RESET, counted across all workers. */
  breaker: { threshold: number; resetMs: number };
  /**
   * How long a half-open probe is held at most, in ms: the delivery timeout plus a margin. A worker
   * killed mid-probe never frees it; the next probe can go after this.
   */
  probeTtlMs: number;
  /**
   * Lease of a slot, in ms, renewed every third of it while its delivery runs. A worker killed
   * mid-delivery stops renewing, and its slots free themselves after this. Default 5000: long
   * enough to ride out event-loop stalls of a busy worker, short enough that a crash does not hold
   * an endpoint's slots for a whole delivery timeout.
   */
  slotLeaseMs?: number;
  onBreakerChange?: (state: BreakerState, name: string) => void;
  /** Endpoints idle this long are forgotten locally (and failures in Redis). Default 10 min. */
  idleMs?: number;
  /** How often the breaker states reported by `states()` are re-read from Redis. Default 2000 ms. */
  refreshMs?: number;
}

/** A slot taken: call `leave` once with the outcome (`ok`: an answer, even a refusal). */
export type Entry =
  | { kind: 'granted'; probe: boolean; leave(outcome: 'ok' | 'fail'): Promise<void> }
  | { kind: 'open'; retryAfterMs: number }
  | { kind: 'busy' };

interface Local {
  /** Date.now() until which the shared breaker is known open (0: not known open). Safe to trust:
   * an open breaker only closes through a probe, and no probe is let through before then. */
  openUntil: number;
  state: BreakerState;
  lastUsedAt: number;
  /** Start times of this process's deliveries in flight (their age says a receiver is hanging). */
  running: Set<{ at: number; token: string }>;
  /** Deliveries of this process waiting for a slot (their wake-ups), first come first served. */
  waiters: Array<() => void>;
  /** Wakes the first waiter every POLL_MS while there is one (see `sleep`). */
  poller: NodeJS.Timeout | null;
  /** Moving average of recent delivery durations in ms; null until one finished. */
  latencyMs: number | null;
}

/** Weight of the latest duration in the moving average. */
const LATENCY_WEIGHT = 0.2;
/** How often the first waiter of a process asks Redis for a slot freed by another worker. */
const POLL_MS = 25;

/**
 * Per-endpoint isolation shared by every worker: a slot count (so one slow receiver cannot take
 * every delivery slot, and N workers do not give it N times the concurrency) and a circuit breaker
 * (so a dead receiver stops costing a timeout per event, whichever worker saw the failures). Both
 * live in Redis (endpoint-guard-scripts.ts); this process keeps only what is safe to cache: when a
 * breaker is known open, and recent delivery times for deciding whether to wait for a slot.
 */
export function createEndpointGuards(options: EndpointGuardOptions) {
  const { redis } = options;
  const keys = redisKeys(options.prefix);
  const idleMs = options.idleMs ?? 10 * 60_000;
  const slotLeaseMs = options.slotLeaseMs ?? 5_000;
  const locals = new Map<string, Local>();
  const instance = randomUUID();
  let seq = 0;
  const name = (endpointId: string) => `webhook:${endpointId}`;
  const keysOf = (id: string) => [
    keys.webhookEndpointSlots(id),
    keys.webhookEndpointBreaker(id),
    keys.webhookEndpointProbe(id),
  ];

  function local(endpointId: string): Local {
    let entry = locals.get(endpointId);
    if (!entry) {
      entry = {
        openUntil: 0,
        state: 'closed',
        lastUsedAt: 0,
        running: new Set(),
        waiters: [],
        poller: null,
        latencyMs: null,
      };
      locals.set(endpointId, entry);
    }
    entry.lastUsedAt = Date.now();
    return entry;
  }

  function setState(endpointId: string, entry: Local, state: BreakerState): void {
    if (entry.state === state) return;
    entry.state = state;
    options.onBreakerChange?.(state, name(endpointId));
  }

  function markOpen(endpointId: string, entry: Local, ms: number): void {
    entry.openUntil = Date.now() + ms;
    setState(endpointId, entry, 'open');
  }

  /** How long a slot of this endpoint is expected to stay taken, in ms (as this process saw it). */
  function slowest(entry: Local, now: number): number {
    let oldest = 0;
    for (const slot of entry.running) oldest = Math.max(oldest, now - slot.at);
    return Math.max(entry.latencyMs ?? 0, oldest);
  }

  /**
   * Waits until woken or `ms` passed. Woken: by a slot freed in this process, or by the poll timer
   * (every POLL_MS while anyone waits), which wakes only the first waiter, so a process asks Redis
   * for a slot freed by another worker at most once per POLL_MS per endpoint. A waiter that tried
   * and failed again goes back to the front (`front`): first come, first served.
   */
  function sleep(entry: Local, ms: number, front: boolean): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        const index = entry.waiters.indexOf(wake);
        if (index >= 0) entry.waiters.splice(index, 1);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      if (front) entry.waiters.unshift(wake);
      else entry.waiters.push(wake);
      if (!entry.poller) {
        entry.poller = setInterval(() => {
          if (entry.waiters.length > 0) return entry.waiters[0]?.();
          if (entry.poller) clearInterval(entry.poller);
          entry.poller = null;
        }, POLL_MS);
        entry.poller.unref();
      }
    });
  }

  function granted(endpointId: string, entry: Local, token: string, probe: boolean): Entry {
    if (probe) setState(endpointId, entry, 'half-open');
    const slot = { at: Date.now(), token };
    entry.running.add(slot);
    let left = false;
    return {
      kind: 'granted',
      probe,
      async leave(outcome) {
        if (left) return;
        left = true;
        entry.running.delete(slot);
        const took = Date.now() - slot.at;
        entry.latencyMs =
          entry.latencyMs === null ? took : entry.latencyMs + LATENCY_WEIGHT * (took - entry.latencyMs);
        try {
          const [transition, ms] = (await redis.eval(
            LEAVE,
            3,
            ...keysOf(endpointId),
            token,
            outcome,
            options.breaker.threshold,
            options.breaker.resetMs,
            idleMs,
          )) as [number, number];
          if (transition === 1) markOpen(endpointId, entry, ms);
          if (transition === 2) {
            entry.openUntil = 0;
            setState(endpointId, entry, 'closed');
          }
        } finally {
          // Whatever Redis said (or if it could not answer: the slot then expires by itself).
          entry.waiters[0]?.();
        }
      },
    };
  }

  /**
   * Takes a slot of the endpoint, unless its breaker is open (`open`, with how long) or every slot
   * is taken and none is expected within `budgetMs` (`busy`): the caller then puts the job back as
   * delayed. A slot is expected soon from the endpoint's recent delivery time (or the age of its
   * oldest delivery in flight here, if larger: a hanging receiver) and the number already waiting
   * here; the wait ends after twice the budget. Waiting instead of deferring every job beyond the
   * slot count is what lets one fast endpoint use its slots back to back: deferring 45 of every 50
   * jobs fetched held a local receiver to 80 deliveries/s (bench/webhook-throughput.bench.ts).
   * A slot freed in this process wakes its first waiter at once; one freed by another worker is
   * seen by that waiter's next poll (every POLL_MS), so waiting is bounded and never a spin.
   */
  async function enter(endpointId: string, budgetMs: number): Promise<Entry> {
    const entry = local(endpointId);
    const started = Date.now();
    if (entry.openUntil > started) return { kind: 'open', retryAfterMs: entry.openUntil - started };
    const deadline = started + 2 * budgetMs;
    let waiting = false;
    for (;;) {
      seq += 1;
      const token = `${instance}:${seq}`;
      const [code, ms] = (await redis.eval(
        ENTER,
        3,
        ...keysOf(endpointId),
        token,
        options.concurrency,
        slotLeaseMs,
        options.probeTtlMs,
      )) as [number, number];
      if (code === 0 || code === 1) return granted(endpointId, entry, token, code === 1);
      if (code === 2) {
        if (ms > 0) markOpen(endpointId, entry, ms);
        else setState(endpointId, entry, 'half-open');
        return { kind: 'open', retryAfterMs: ms };
      }
      const now = Date.now();
      if (now >= deadline) return { kind: 'busy' };
      const retry = waiting;
      if (!waiting) {
        const rounds = Math.ceil((entry.waiters.length + 1) / options.concurrency);
        if (rounds * slowest(entry, now) > budgetMs) return { kind: 'busy' };
        waiting = true;
      }
      await sleep(entry, deadline - now, retry);
    }
  }

  /** Re-reads the shared breakers of the endpoints this process knows, for `states()`. */
  async function refresh(): Promise<void> {
    const ids = [...locals.keys()];
    if (ids.length === 0) return;
    const left = (await redis.eval(
      READ_BREAKERS,
      ids.length,
      ...ids.map((id) => keys.webhookEndpointBreaker(id)),
    )) as number[];
    ids.forEach((id, i) => {
      const entry = locals.get(id);
      const ms = left[i] ?? -1;
      if (!entry) return;
      if (ms < 0) {
        entry.openUntil = 0;
        setState(id, entry, 'closed');
      } else if (ms === 0) {
        entry.openUntil = 0;
        setState(id, entry, 'half-open');
      } else markOpen(id, entry, ms);
    });
  }

  /** Extends the leases of this process's slots in flight (one script call per busy endpoint). */
  async function renew(): Promise<void> {
    const calls: Array<Promise<unknown>> = [];
    for (const [id, entry] of locals) {
      if (entry.running.size === 0) continue;
      const tokens = [...entry.running].map((slot) => slot.token);
      calls.push(redis.eval(RENEW, 1, keys.webhookEndpointSlots(id), slotLeaseMs, ...tokens));
    }
    await Promise.allSettled(calls);
  }
  const renewer = setInterval(() => void renew(), Math.max(50, Math.floor(slotLeaseMs / 3)));
  renewer.unref();

  function sweep(now = Date.now()): void {
    for (const [id, entry] of locals) {
      const quiet = entry.running.size === 0 && entry.waiters.length === 0;
      if (quiet && now - entry.lastUsedAt > idleMs) locals.delete(id);
    }
  }

  const timer = setInterval(() => {
    sweep();
    void refresh().catch(() => undefined);
  }, options.refreshMs ?? 2_000);
  timer.unref();

  return {
    enter,
    refresh,
    sweep,
    /** For the heartbeat (and so /api/health): the shared breaker of every endpoint this process knows. */
    states(): Record<string, BreakerState> {
      const out: Record<string, BreakerState> = {};
      const now = Date.now();
      for (const [id, entry] of locals) {
        out[name(id)] = entry.state === 'open' && entry.openUntil <= now ? 'half-open' : entry.state;
      }
      return out;
    },
    close(): void {
      clearInterval(timer);
      clearInterval(renewer);
      for (const entry of locals.values()) if (entry.poller) clearInterval(entry.poller);
      locals.clear();
    },
  };
}

export type EndpointGuards = ReturnType<typeof createEndpointGuards>;
