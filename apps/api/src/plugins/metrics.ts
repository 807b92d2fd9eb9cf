import type { Repositories } from '@wagw/db';
import { AppError } from '@wagw/errors';
import { metricsKeys, type RedisConnection, readCounterHash, WEBHOOK_DISPATCH_GROUP } from '@wagw/queue';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { HealthService } from '../routes/health/health.service.js';
import { keysMatch } from './auth.js';
import type { AuthFailureLimit } from './auth-failures.js';
import { createMediaMetrics } from './metrics-media.js';

export const METRICS_PATH = '/metrics';

export interface MetricsOptions {
  health: HealthService;
  messages: Pick<Repositories['messages'], 'countByStatus'>;
  redis: RedisConnection;
  redisPrefix: string;
  /**
   * METRICS_TOKEN: when set, scrapes need `Authorization: Bearer <token>`, checked here. Unset, the
   * app leaves /metrics to the API-key check (admin key) unless METRICS_PUBLIC opens it (app.ts).
   */
  token?: string;
  /** Wrong tokens count as failed authentication of the client address (AUTH_FAILURES_PER_MINUTE). */
  failures?: AuthFailureLimit;
}

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;
/** Label values from Redis hashes are written by other processes: keep them short and tame. */
const MAX_HASH_LABELS = 100;

function safeLabel(value: string): string {
  return value.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 64);
}

/**
 * Prometheus metrics on GET /metrics. One Registry per app (never prom-client's global one), so
 * tests can build several apps in one process. Gauges that describe the whole gateway (sessions,
 * messages, breakers, queues) are read from the database and Redis at scrape time, so every API
 * replica exports the same values: scrape one replica, or aggregate with max() rather than sum().
 */
export function registerMetrics(app: FastifyInstance, options: MetricsOptions): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges `_total`, which promtool's lint rejects; the same numbers are
  // exported per type as nodejs_active_handles / _requests / _resources.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ])
    registry.removeSingleMetric(name);

  const httpDuration = new Histogram({
    name: 'wagw_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const up = new Gauge({
    name: 'wagw_dependency_up',
    help: 'Whether the last scrape could read the dependency (1) or not (0)',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  const sessions = new Gauge({
    name: 'wagw_sessions',
    help: 'Sessions by status (not deleted)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const waitingForCapacity = new Gauge({
    name: 'wagw_sessions_waiting_for_capacity',
    help: 'Sessions that should run but no worker has room for (MAX_SESSIONS_PER_WORKER reached everywhere)',
    registers: [registry],
  });
  const messages = new Gauge({
    name: 'wagw_messages',
    help: 'Stored messages by status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const breakers = new Gauge({
    name: 'wagw_circuit_breaker_state',
    help: 'Circuit breaker state per worker: 0 closed, 1 half-open, 2 open',
    labelNames: ['breaker', 'instance_id'] as const,
    registers: [registry],
  });
  const dbSpool = new Gauge({
    name: 'wagw_db_spool_entries',
    help: 'Inbound messages and receipts a worker holds for the database (store: redis or memory); DB_SPOOL_MAX each session',
    labelNames: ['instance_id', 'store'] as const,
    registers: [registry],
  });
  const dbSpoolRefused = new Gauge({
    name: 'wagw_db_spool_refused',
    help: 'Writes a worker refused since it started because a session spool was full (lost)',
    labelNames: ['instance_id'] as const,
    registers: [registry],
  });
  const heapAfterGc = new Gauge({
    name: 'wagw_worker_heap_after_gc_bytes',
    help: 'Heap a worker retains: bytes in use after its last full collection (climbs with a leak)',
    labelNames: ['instance_id'] as const,
    registers: [registry],
  });
  const workers = new Gauge({
    name: 'wagw_workers',
    help: 'Workers with a live heartbeat (live) and seen in the last 10 minutes without one (missing)',
    labelNames: ['state'] as const,
    registers: [registry],
  });
  const queueJobs = new Gauge({
    name: 'wagw_queue_jobs',
    help: 'Jobs per queue family and state (sends: all per-session send queues together)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
  });
  const deadLetters = new Gauge({
    name: 'wagw_webhook_dead_letters',
    help: 'Webhook deliveries that exhausted their retries, by status: dead, replaying',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  // Labelled by consumer group: a label-less gauge cannot be dropped (prom-client resets it to 0),
  // and an unreadable Redis must drop the series rather than report an empty backlog.
  const dispatchPending = new Gauge({
    name: 'wagw_event_dispatch_pending',
    help: 'Events read from the event stream by a worker of the group but not yet fanned out to jobs',
    labelNames: ['group'] as const,
    registers: [registry],
  });
  const dispatchLag = new Gauge({
    name: 'wagw_event_dispatch_lag',
    help: 'Events in the event stream the group has not read yet (absent when Redis cannot tell)',
    labelNames: ['group'] as const,
    registers: [registry],
  });
  const disconnects = new Counter({
    name: 'wagw_session_disconnects_total',
    help: 'Session disconnects recorded by workers, by disconnect code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const reconnects = new Counter({
    name: 'wagw_session_reconnects_total',
    help: 'Disconnects after which the worker reconnected, by disconnect code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'wagw_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome: delivered, retried, dead_lettered, skipped',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  const media = createMediaMetrics(registry, options.redis, options.redisPrefix);

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids in paths would make one series per session.
    const route = request.routeOptions.url ?? 'unmatched';
    httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  async function exportCounterHash(counter: Counter<string>, label: string, key: string) {
    const values = await readCounterHash(options.redis, key);
    counter.reset();
    for (const [field, n] of Object.entries(values).slice(0, MAX_HASH_LABELS))
      counter.inc({ [label]: safeLabel(field) }, n);
  }

  async function refreshFromDatabase(): Promise<void> {
    try {
      const [sessionCounts, messageCounts, deadLetterCounts] = await Promise.all([
        options.health.sessionCounts(),
        options.messages.countByStatus(),
        options.health.deadLetterCounts(),
      ]);
      sessions.reset();
      const { total: _t, connected: _c, waitingForCapacity: waiting, ...byStatus } = sessionCounts;
      for (const [status, n] of Object.entries(byStatus)) sessions.set({ status }, n);
      waitingForCapacity.set(waiting);
      messages.reset();
      for (const [status, n] of Object.entries(messageCounts)) messages.set({ status }, n);
      deadLetters.reset();
      for (const [status, n] of Object.entries(deadLetterCounts)) deadLetters.set({ status }, n);
      up.set({ dependency: 'database' }, 1);
    } catch {
      // Stale values would lie; absent series plus wagw_dependency_up 0 tell the truth.
      sessions.reset();
      waitingForCapacity.reset();
      messages.reset();
      deadLetters.reset();
      up.set({ dependency: 'database' }, 0);
    }
  }

  async function refreshFromRedis(): Promise<void> {
    const keys = metricsKeys(options.redisPrefix);
    try {
      const [cluster, queues, dispatch] = await Promise.all([
        options.health.clusterState(),
        options.health.queueOverview(),
        options.health.eventDispatch(),
      ]);
      breakers.reset();
      for (const [name, view] of Object.entries(cluster.circuitBreakers))
        for (const [instanceId, state] of Object.entries(view.workers))
          breakers.set({ breaker: name, instance_id: instanceId }, BREAKER_VALUE[state]);
      dbSpool.reset();
      dbSpoolRefused.reset();
      heapAfterGc.reset();
      for (const worker of cluster.workers) {
        if (worker.heapAfterGc !== null)
          heapAfterGc.set({ instance_id: worker.instanceId }, worker.heapAfterGc);
        const { depth, memory, refused } = worker.dbSpool;
        dbSpool.set({ instance_id: worker.instanceId, store: 'redis' }, depth - memory);
        dbSpool.set({ instance_id: worker.instanceId, store: 'memory' }, memory);
        dbSpoolRefused.set({ instance_id: worker.instanceId }, refused);
      }
      workers.set({ state: 'live' }, cluster.workers.length);
      workers.set({ state: 'missing' }, cluster.missingWorkers.length);
      queueJobs.reset();
      for (const queue of ['session-commands', 'maintenance', 'webhooks'] as const)
        for (const state of ['waiting', 'active', 'delayed', 'failed'] as const)
          queueJobs.set({ queue, state }, queues[queue][state]);
      const sends = queues.sends;
      queueJobs.set({ queue: 'sends', state: 'waiting' }, sends.totalWaiting);
      queueJobs.set({ queue: 'sends', state: 'active' }, sends.totalActive);
      queueJobs.set({ queue: 'sends', state: 'delayed' }, sends.totalDelayed);
      queueJobs.set({ queue: 'sends', state: 'failed' }, sends.totalFailed);
      dispatchPending.reset();
      dispatchLag.reset();
      dispatchPending.set({ group: WEBHOOK_DISPATCH_GROUP }, dispatch.pending);
      if (dispatch.lag !== null) dispatchLag.set({ group: WEBHOOK_DISPATCH_GROUP }, dispatch.lag);
      await Promise.all([
        exportCounterHash(disconnects, 'code', keys.disconnects),
        exportCounterHash(reconnects, 'code', keys.reconnects),
        exportCounterHash(webhooks, 'outcome', keys.webhooks),
        media.refresh(),
      ]);
      up.set({ dependency: 'redis' }, 1);
    } catch {
      for (const metric of [
        breakers,
        dbSpool,
        dbSpoolRefused,
        heapAfterGc,
        workers,
        queueJobs,
        dispatchPending,
        dispatchLag,
        disconnects,
        reconnects,
        webhooks,
      ])
        metric.reset();
      media.reset();
      up.set({ dependency: 'redis' }, 0);
    }
  }

  app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
    if (options.token !== undefined) {
      const header = request.headers.authorization;
      const presented = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
      if (presented === undefined)
        throw new AppError(
          'UNAUTHORIZED',
          'missing metrics token: send Authorization: Bearer <METRICS_TOKEN>',
        );
      options.failures?.assertAllowed(request);
      if (!keysMatch(presented, options.token)) {
        throw (
          (await options.failures?.recordFailure(request)) ??
          new AppError('UNAUTHORIZED', 'invalid metrics token')
        );
      }
    }
    await Promise.all([refreshFromDatabase(), refreshFromRedis()]);
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  return registry;
}
