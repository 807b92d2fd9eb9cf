import type { Database, SessionStatus } from '@wagw/db';
import type { MediaStore } from '@wagw/media';
import { pingRedis, type RedisConnection } from '@wagw/queue';
import { TimeoutError, withTimeout } from '@wagw/resilience';
import { type ClusterState, readClusterState } from './cluster-state.js';
import { decideHealth, type HealthStatus } from './health-status.js';
import {
  type EventDispatchState,
  type QueueOverview,
  readEventDispatch,
  readQueueOverview,
} from './queue-overview.js';

type DependencyState = 'connected' | 'disconnected';

export interface DependencyReport {
  database: DependencyState;
  redis: DependencyState;
  checks: {
    database: { ok: boolean; latencyMs: number; error?: string };
    redis: { ok: boolean; latencyMs: number; error?: string };
  };
}

export type SessionCounts = Record<SessionStatus, number> & {
  total: number;
  connected: number;
  /** Sessions that should run but wait for a worker with room (already counted as `stopped`). */
  waitingForCapacity: number;
};

/** Dead-lettered webhook deliveries over every webhook, by status. */
export interface DeadLetterCounts {
  dead: number;
  replaying: number;
}

interface WebhooksReport {
  /** null when the database could not be read. */
  deadLetters: DeadLetterCounts | null;
  /** null when Redis could not be read. */
  dispatch: EventDispatchState | null;
}

/** The media store's own check: writable directory or reachable bucket. */
export interface MediaCheck {
  ok: boolean;
  /** Absent when the check did not answer within its budget. */
  backend?: 'fs' | 's3';
  latencyMs: number;
  error?: string;
}

export interface HealthReport extends Omit<DependencyReport, 'checks'> {
  /** `media` only when the API has a media store; it is not a readiness dependency (see report()). */
  checks: DependencyReport['checks'] & { media?: MediaCheck };
  status: HealthStatus;
  reasons: string[];
  sessions: SessionCounts | null;
  apiReplicas: ClusterState['apiReplicas'];
  missingApiReplicas: string[];
  workers: ClusterState['workers'];
  missingWorkers: string[];
  schedulers: ClusterState['schedulers'];
  missingSchedulers: string[];
  circuitBreakers: ClusterState['circuitBreakers'];
  queues: QueueOverview | null;
  webhooks: WebhooksReport;
}

export interface HealthServiceDeps {
  db: Pick<Database, 'health' | 'repos'>;
  redis: RedisConnection;
  /** QUEUE_PREFIX: where heartbeats and queues live. */
  redisPrefix: string;
  /** Budget for each dependency check; health must answer even when a dependency hangs. */
  checkTimeoutMs: number;
  /** The media store, when the API has one (main.ts always does). */
  media?: Pick<MediaStore, 'health'>;
}

/**
 * Real round trips to both stores, run in parallel, each bounded by a timeout; then what the
 * database and the heartbeats say about sessions, workers, breakers, queues and webhook delivery.
 * Shared by
 * /api/health, /api/monitoring/metrics and /metrics.
 */
export function createHealthService(deps: HealthServiceDeps) {
  const bounded = <T>(what: string, work: () => Promise<T>) => withDeadline(what, work, deps.checkTimeoutMs);

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

  async function checkMedia(store: Pick<MediaStore, 'health'>): Promise<MediaCheck> {
    const started = performance.now();
    // The store bounds its own check; the deadline here keeps health answering whatever a backend does.
    try {
      const { ok, backend, error } = await bounded('media store', () => store.health());
      const check: MediaCheck = { ok, backend, latencyMs: round(performance.now() - started) };
      return error === undefined ? check : { ...check, error };
    } catch (err) {
      return { ok: false, latencyMs: round(performance.now() - started), error: (err as Error).message };
    }
  }

  async function sessionCounts(): Promise<SessionCounts> {
    const [counts, waitingForCapacity] = await bounded('session counts', () =>
      Promise.all([deps.db.repos.sessions.countByStatus(), deps.db.repos.sessions.countWaitingForCapacity()]),
    );
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    // `connected` is an alias of `open` (the same count), part of the documented health response.
    return { ...counts, total, connected: counts.open, waitingForCapacity };
  }

  async function deadLetterCounts(): Promise<DeadLetterCounts> {
    const counts = await bounded('dead letter counts', () => deps.db.repos.deadLetters.countByStatus());
    return { dead: counts.dead ?? 0, replaying: counts.replaying ?? 0 };
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
  const eventDispatch = () =>
    whenRedisReady('event dispatch', () => readEventDispatch(deps.redis, deps.redisPrefix));

  async function report(): Promise<HealthReport> {
    // Media runs beside the store checks, not inside checkDependencies: a replica whose media store
    // fails still serves everything else, so it degrades health but stays ready.
    const [dependencies, media] = await Promise.all([
      checkDependencies(),
      deps.media ? checkMedia(deps.media) : undefined,
    ]);
    const dbUp = dependencies.database === 'connected';
    const redisUp = dependencies.redis === 'connected';
    const [sessions, deadLetters, cluster, queues, dispatch] = await Promise.all([
      dbUp ? sessionCounts().catch(() => null) : null,
      dbUp ? deadLetterCounts().catch(() => null) : null,
      redisUp ? clusterState().catch(() => null) : null,
      redisUp ? queueOverview().catch(() => null) : null,
      redisUp ? eventDispatch().catch(() => null) : null,
    ]);
    const { status, reasons } = decideHealth({ ...dependencies, sessions, cluster, media });
    return {
      status,
      reasons,
      ...dependencies,
      checks: media ? { ...dependencies.checks, media } : dependencies.checks,
      sessions,
      apiReplicas: cluster?.apiReplicas ?? [],
      missingApiReplicas: cluster?.missingApiReplicas ?? [],
      workers: cluster?.workers ?? [],
      missingWorkers: cluster?.missingWorkers ?? [],
      schedulers: cluster?.schedulers ?? [],
      missingSchedulers: cluster?.missingSchedulers ?? [],
      circuitBreakers: cluster?.circuitBreakers ?? {},
      queues,
      webhooks: { deadLetters, dispatch },
    };
  }

  return {
    checkDependencies,
    sessionCounts,
    deadLetterCounts,
    clusterState,
    queueOverview,
    eventDispatch,
    report,
  };
}

/** `work` bounded by `timeoutMs`; a timeout names what was being read, for the logs. */
async function withDeadline<T>(what: string, work: () => Promise<T>, timeoutMs: number): Promise<T> {
  try {
    return await withTimeout(() => work(), timeoutMs);
  } catch (err) {
    if (err instanceof TimeoutError)
      throw new Error(`${what} timed out after ${timeoutMs} ms`, { cause: err });
    throw err;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export type HealthService = ReturnType<typeof createHealthService>;
