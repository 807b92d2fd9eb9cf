import { type Breaker, type BreakerOptions, type BreakerState, createBreaker } from './breaker.js';

/**
 * A breaker whose policy is built on its first call. A worker keeps one send breaker per session,
 * and most sessions of a large worker never send: cockatiel's policy with its event emitters is
 * ~2.5 KiB of heap each, 2.5 MiB at 1,000 idle sessions (docs/benchmarks.md, "Session density").
 * Until then it reads as a fresh breaker would: closed, nothing to wait for.
 *
 * A class, not a factory of closures: one small object per session, its methods on the prototype.
 */
export class LazyBreaker implements Breaker {
  private built: Breaker | undefined;

  constructor(private readonly options: BreakerOptions) {}

  get name(): string {
    return this.options.name;
  }

  execute<T>(fn: () => Promise<T>): Promise<T> {
    this.built ??= createBreaker(this.options);
    return this.built.execute(fn);
  }

  state(): BreakerState {
    return this.built?.state() ?? 'closed';
  }

  retryAfterMs(): number {
    return this.built?.retryAfterMs() ?? 0;
  }

  dispose(): void {
    this.built?.dispose();
  }
}
