import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
} from 'cockatiel';

/** What a breaker reports in stats and logs; `half-open` also when a probe is due but not yet made. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Shown in logs and stats, e.g. `send:<sessionId>` or `db`. */
  name: string;
  /** Consecutive failures that open the breaker. */
  threshold: number;
  /** How long it stays open before one half-open probe is let through, in ms. */
  resetMs: number;
  /** Called on every state change (open, half-open, closed): log it, export it. */
  onStateChange?: (state: BreakerState, name: string) => void;
}

export interface Breaker {
  readonly name: string;
  /** Runs `fn` through the breaker; throws `BrokenCircuitError` without calling it while open. */
  execute<T>(fn: () => Promise<T>): Promise<T>;
  /** The state as callers should see it: an open breaker whose reset time passed reads `half-open`. */
  state(): BreakerState;
  /** Ms until a probe may be made (0 when closed or a probe is due). */
  retryAfterMs(): number;
  dispose(): void;
}

/**
 * A consecutive-failure circuit breaker on cockatiel. cockatiel moves from open to half-open
 * lazily (on the first call after `halfOpenAfter`), so the open time is tracked here too: stats
 * then show `half-open` as soon as the breaker would let a probe through, and callers holding
 * work back know how long to wait (`retryAfterMs`) instead of polling.
 */
export function createBreaker(options: BreakerOptions): Breaker {
  const policy: CircuitBreakerPolicy = circuitBreaker(handleAll, {
    halfOpenAfter: options.resetMs,
    breaker: new ConsecutiveBreaker(options.threshold),
  });
  let openedAt = 0;
  const toState = (state: CircuitState): BreakerState =>
    state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';
  const subscriptions = [
    policy.onBreak(() => {
      openedAt = Date.now();
    }),
    policy.onStateChange((state) => options.onStateChange?.(toState(state), options.name)),
  ];

  function retryAfterMs(): number {
    if (policy.state !== CircuitState.Open) return 0;
    return Math.max(0, openedAt + options.resetMs - Date.now());
  }

  return {
    name: options.name,
    execute: (fn) => policy.execute(fn),
    state() {
      if (policy.state === CircuitState.Open && retryAfterMs() === 0) return 'half-open';
      return toState(policy.state);
    },
    retryAfterMs,
    dispose() {
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
}

/** True for the error a breaker throws instead of running the call. */
export function isBrokenCircuit(err: unknown): boolean {
  return err instanceof BrokenCircuitError;
}
