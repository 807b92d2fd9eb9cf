import type { Repositories } from '../repositories/repository-types.js';
import type { HealthResult } from './health.js';

export interface Database {
  dialect: 'sqlite' | 'postgres';
  repos: Repositories;
  /** Applies pending drizzle migrations. Idempotent; safe when several processes start at once. */
  migrate(): Promise<void>;
  /** Runs `select 1`; answers within `timeoutMs` (ok:false on timeout or error), never throws. */
  health(timeoutMs: number): Promise<HealthResult>;
  /** Graceful: waits for checked-out pg clients. Idempotent. */
  close(): Promise<void>;
}
