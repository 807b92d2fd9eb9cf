/**
 * Promise-based waiting on a growing list of records: resolves with the first record (already present or
 * future) that matches, or rejects after a timeout. Timers are cleared on every path so that no test
 * process is kept alive by a forgotten wait.
 */
export class Waiters<T> {
  private readonly pending = new Set<{ match: (item: T) => boolean; resolve: (item: T) => void }>();

  constructor(private readonly existing: () => readonly T[]) {}

  notify(item: T): void {
    for (const waiter of [...this.pending]) {
      if (waiter.match(item)) {
        this.pending.delete(waiter);
        waiter.resolve(item);
      }
    }
  }

  wait(match: (item: T) => boolean, timeoutMs: number, what: string): Promise<T> {
    const found = this.existing().find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        match,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.pending.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.pending.add(waiter);
    });
  }

  /** Waits still pending; a test can assert 0 at teardown. */
  get size(): number {
    return this.pending.size;
  }
}
