import type { Repositories } from '../repositories/repository-types.js';
import type { HealthResult } from './health.js';

export interface Database {
  dialect: 'sqlite' | 'postgres';
  repos: Repositories;
  /** Applies pending drizzle migrations. Idempotent; safe when several processes start at once. */
  migrate(): Promise<void>;
  /** Runs `select 1`; answers within `timeoutMs` (ok:false on timeout or error), never throws. */
  health(timeoutMs: number): Promise<HealthResult>;
  /**
   * Throws when a write could not be made now (SQLite: another connection holds the write lock;
   * PostgreSQL: the server does not answer), without waiting out SQLite's busy_timeout, which would
   * block the event loop: the cheap probe of callers holding writes back until the database answers.
   */
  canWrite(): Promise<void>;
  /** Graceful: waits for checked-out pg clients. Idempotent. */
  close(): Promise<void>;
}
