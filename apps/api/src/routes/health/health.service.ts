import type { Database, SessionStatus } from '@wagw/db';
import { pingRedis } from '@wagw/queue';
import type { Redis } from 'ioredis';
import { type ClusterState, readClusterState } from './cluster-state.js';
import { decideHealth, type HealthStatus } from './health-status.js';
import { type QueueOverview, readQueueOverview } from './queue-overview.js';

export type DependencyState = 'connected' | 'disconnected';

export interface DependencyReport {
  database: DependencyState;
  redis: DependencyState;
  checks: {
    database: { ok: boolean; latencyMs: number; error?: string };
    redis: { ok: boolean; latencyMs: number; error?: string };
  };
}

export type SessionCounts = Record<SessionStatus, number> & { total: number; connected: number };

export interface HealthReport extends DependencyReport {
  status: HealthStatus;
  reasons: string[];
  sessions: SessionCounts | null;
  workers: ClusterState['workers'];
  missingWorkers: string[];
  schedulers: ClusterState['schedulers'];
  missingSchedulers: string[];
  circuitBreakers: ClusterState['circuitBreakers'];
  queues: QueueOverview | null;
}

export interface HealthServiceDeps {
  db: Pick<Database, 'health' | 'repos'>;
  redis: Redis;
  /** QUEUE_PREFIX: where heartbeats and queues live. */
  redisPrefix: string;
  /** Budget for each dependency check; health must answer even when a dependency hangs. */
  checkTimeoutMs: number;
}

/**
 * Real round trips to both stores, run in parallel, each bounded by a timeout; then what the
 * database and the heartbeats say about sessions, workers, breakers and queues. Shared by
 * /api/health, /api/monitoring/metrics and /metrics.
 */
export function createHealthService(deps: HealthServiceDeps) {
  const bounded = <T>(what: string, work: () => Promise<T>) => withTimeout(what, work, deps.checkTimeoutMs);

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

  async function sessionCounts(): Promise<SessionCounts> {
    const counts = await bounded('session counts', () => deps.db.repos.sessions.countByStatus());
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    // `connected` is the stability specification's name for `open`.
    return { ...counts, total, connected: counts.open };
  }

  /** Redis reads fail at once when the producer connection is down (no offline queue). */
  function whenRedisReady<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (deps.redis.status !== 'ready')
      return Promise.reject(new Error(`redis connection is ${deps.redis.status}`));
    return bounded(what, work);
  }

  const clusterState = () =>
    whenRedisReady('heartbeats', () => readClusterState(deps.redis, deps.redisPrefix));
  const queueOverview = () =>
    whenRedisReady('queue depths', () => readQueueOverview(deps.redis, deps.redisPrefix));

  async function report(): Promise<HealthReport> {
    const dependencies = await checkDependencies();
    const dbUp = dependencies.database === 'connected';
    const redisUp = dependencies.redis === 'connected';
    const [sessions, cluster, queues] = await Promise.all([
      dbUp ? sessionCounts().catch(() => null) : null,
      redisUp ? clusterState().catch(() => null) : null,
      redisUp ? queueOverview().catch(() => null) : null,
    ]);
    const { status, reasons } = decideHealth({ ...dependencies, sessions, cluster });
    return {
      status,
      reasons,
      ...dependencies,
      sessions,
      workers: cluster?.workers ?? [],
      missingWorkers: cluster?.missingWorkers ?? [],
      schedulers: cluster?.schedulers ?? [],
      missingSchedulers: cluster?.missingSchedulers ?? [],
      circuitBreakers: cluster?.circuitBreakers ?? {},
      queues,
    };
  }

  return { checkDependencies, sessionCounts, clusterState, queueOverview, report };
}

async function withTimeout<T>(what: string, work: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export type HealthService = ReturnType<typeof createHealthService>;
