import type { Database } from '@wagw/db';
import { pingRedis } from '@wagw/queue';
import type { Redis } from 'ioredis';

export type DependencyState = 'connected' | 'disconnected';

export interface DependencyReport {
  database: DependencyState;
  redis: DependencyState;
  checks: {
    database: { ok: boolean; latencyMs: number; error?: string };
    redis: { ok: boolean; latencyMs: number; error?: string };
  };
}

export interface HealthServiceDeps {
  db: Pick<Database, 'health'>;
  redis: Redis;
  /** Budget for each dependency check; health must answer even when a dependency hangs. */
  checkTimeoutMs: number;
}

/** Real round trips to both stores, run in parallel, each bounded by a timeout. */
export function createHealthService(deps: HealthServiceDeps) {
  async function checkRedis() {
    const started = performance.now();
    try {
      const latencyMs = await pingRedis(deps.redis, deps.checkTimeoutMs);
      return { ok: true, latencyMs: round(latencyMs) };
    } catch (err) {
      return { ok: false, latencyMs: round(performance.now() - started), error: (err as Error).message };
    }
  }

  async function checkDependencies(): Promise<DependencyReport> {
    const [database, redis] = await Promise.all([deps.db.health(deps.checkTimeoutMs), checkRedis()]);
    return {
      database: database.ok ? 'connected' : 'disconnected',
      redis: redis.ok ? 'connected' : 'disconnected',
      checks: { database: { ...database, latencyMs: round(database.latencyMs) }, redis },
    };
  }

  return { checkDependencies };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export type HealthService = ReturnType<typeof createHealthService>;
