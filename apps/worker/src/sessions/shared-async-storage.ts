import asyncHooks, { AsyncLocalStorage } from 'node:async_hooks';
import { syncBuiltinESMExports } from 'node:module';

/**
 * Why this exists: Baileys creates one AsyncLocalStorage per socket (its key-store transactions,
 * `addTransactionCapability`) and never disables it. On Node 20 every enabled AsyncLocalStorage
 * costs a call on *every* promise and timer the process creates (async_hooks `_propagate`), and a
 * closed socket's storage stays enabled. So the cost of each promise grows with every socket ever
 * created: with 200 sessions a CPU profile of the worker showed 16 % of all time in `_propagate`,
 * and reconnecting 200 sessions took 84-112 s instead of the ~0.1 s per session measured with 50.
 *
 * `MultiplexedStorage` has the AsyncLocalStorage interface but keeps its store in one shared
 * AsyncLocalStorage (a small immutable map keyed by instance), so any number of instances cost
 * what one does. `withSharedAsyncStorage` hands it to Baileys only while a socket is being built.
 */
const shared = new AsyncLocalStorage<ReadonlyMap<object, unknown>>();
const EMPTY: ReadonlyMap<object, unknown> = new Map();

export class MultiplexedStorage<T> extends AsyncLocalStorage<T> {
  #disabled = false;

  #with(store: T): ReadonlyMap<object, unknown> {
    return new Map(shared.getStore() ?? EMPTY).set(this, store);
  }

  override getStore(): T | undefined {
    if (this.#disabled) return undefined;
    return shared.getStore()?.get(this) as T | undefined;
  }

  override run<R, A extends unknown[]>(store: T, callback: (...args: A) => R, ...args: A): R {
    this.#disabled = false;
    return shared.run(this.#with(store), callback, ...args);
  }

  override exit<R, A extends unknown[]>(callback: (...args: A) => R, ...args: A): R {
    const current = shared.getStore();
    if (!current?.has(this)) return callback(...args);
    const without = new Map(current);
    without.delete(this);
    return shared.run(without, callback, ...args);
  }

  override enterWith(store: T): void {
    this.#disabled = false;
    shared.enterWith(this.#with(store));
  }

  override disable(): void {
    this.#disabled = true;
  }
}

/**
 * Runs `build` (synchronous: Baileys creates its storage while the socket is constructed) with
 * `AsyncLocalStorage` from node:async_hooks replaced by MultiplexedStorage, then restores it, so no
 * other library in the process is affected.
 */
export function withSharedAsyncStorage<R>(build: () => R): R {
  const original = asyncHooks.AsyncLocalStorage;
  asyncHooks.AsyncLocalStorage = MultiplexedStorage;
  syncBuiltinESMExports();
  try {
    return build();
  } finally {
    asyncHooks.AsyncLocalStorage = original;
    syncBuiltinESMExports();
  }
}
