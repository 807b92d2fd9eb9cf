import { createDbSpool, type DbSpool, type DbSpoolOptions, type SpoolWrite } from './db-spool.js';

/**
 * A session's database spool, built on its first write or when the session is claimed with entries
 * waiting. The spool is for database outages: most sessions never spool a write, and a started
 * spool (its drainer, abort controller and closures) is ~2.4 KiB of heap per idle session
 * (docs/benchmarks.md, "Session density"). Claiming costs one LLEN instead.
 */
export class LazyDbSpool {
  private built: DbSpool | undefined;
  private disposed = false;

  constructor(private readonly options: DbSpoolOptions) {}

  private spool(): DbSpool {
    this.built ??= createDbSpool(this.options);
    return this.built;
  }

  /** Keeps `write`; false when it was refused (spool full). */
  push(write: SpoolWrite): Promise<boolean> {
    return this.spool().push(write);
  }

  /**
   * Replays what a former owner (or this worker before a restart) left; called when the session is
   * claimed. Redis not answering builds the spool too: its drainer then tries again on the next write.
   */
  start(): void {
    if (this.built) {
      this.built.start();
      return;
    }
    this.options.redis.llen(this.options.key).then(
      (length) => this.startIfNeeded(length > 0),
      () => this.startIfNeeded(true),
    );
  }

  private startIfNeeded(needed: boolean): void {
    if (needed && !this.disposed) this.spool().start();
  }

  /** Entries waiting: in Redis (as last seen) and in memory; none before the spool is built. */
  depth(): { redis: number; memory: number } {
    return this.built?.depth() ?? { redis: 0, memory: 0 };
  }

  /** The session left this worker: see `DbSpool.dispose`. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.built?.dispose();
  }
}
