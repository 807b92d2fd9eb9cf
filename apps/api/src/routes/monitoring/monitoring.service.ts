import { cpus, freemem, loadavg, uptime as systemUptime, totalmem } from 'node:os';
import type { Repositories } from '@wagw/db';
import {
  type MaintenanceDeps,
  type MaintenanceRunReport,
  readMediaInventory,
  runMaintenanceTask,
} from '@wagw/maintenance';
import { createLeaseStore, QUEUES, type RedisConnection } from '@wagw/queue';
import { Queue } from 'bullmq';
import { withRedis } from '../../lib/redis-guard.js';
import type { HealthService } from '../health/health.service.js';
import { readMediaCounters } from './media-counters.js';

export interface MonitoringServiceDeps {
  health: HealthService;
  repos: MaintenanceDeps['repos'] & { messages: Pick<Repositories['messages'], 'countByStatus'> };
  redis: RedisConnection;
  redisPrefix: string;
  /** The API's `session-commands` queue (for BullMQ's own completed/failed metrics). */
  sessionCommands: Queue;
  /** STALE_SESSION_AGE in ms, as the scheduler uses it. */
  staleSessionAgeMs: number;
}

/** Completed/failed throughput from BullMQ's metrics, present when the consumer enables them. */
export interface QueueRates {
  enabled: boolean;
  completedLastHour: number;
  failedLastHour: number;
  completedTotal: number;
  failedTotal: number;
}

/**
 * GET /api/monitoring/metrics (one JSON document for a dashboard) and POST
 * /api/monitoring/cleanup (the scheduler's stale-session cleanup, run now, in this process).
 */
export function createMonitoringService(deps: MonitoringServiceDeps) {
  let maintenance: Queue | undefined;
  const leases = createLeaseStore({ redis: deps.redis, prefix: deps.redisPrefix, ttlMs: 15_000 });
  let previousCpu = { at: performance.now(), usage: process.cpuUsage() };

  /** CPU used by this process since the previous call, as a share of one core. */
  function cpuShare(): number {
    const now = { at: performance.now(), usage: process.cpuUsage() };
    const elapsedUs = (now.at - previousCpu.at) * 1000;
    const usedUs = now.usage.user - previousCpu.usage.user + (now.usage.system - previousCpu.usage.system);
    previousCpu = now;
    return elapsedUs > 0 ? Math.round((usedUs / elapsedUs) * 1000) / 1000 : 0;
  }

  async function rates(queue: Queue): Promise<QueueRates> {
    const [completed, failed] = await Promise.all([
      queue.getMetrics('completed', 0, 59),
      queue.getMetrics('failed', 0, 59),
    ]);
    const sum = (data: number[]) => data.reduce((a, b) => a + (Number(b) || 0), 0);
    return {
      enabled: completed.data.length > 0 || failed.data.length > 0,
      completedLastHour: sum(completed.data),
      failedLastHour: sum(failed.data),
      completedTotal: Number(completed.meta.count) || 0,
      failedTotal: Number(failed.meta.count) || 0,
    };
  }

  async function queueRates(): Promise<Record<string, QueueRates> | null> {
    if (deps.redis.status !== 'ready') return null;
    maintenance ??= new Queue(QUEUES.maintenance, { connection: deps.redis, prefix: deps.redisPrefix });
    const queue = maintenance;
    return withRedis(deps.redis, async () => ({
      'session-commands': await rates(deps.sessionCommands),
      maintenance: await rates(queue),
    })).catch(() => null);
  }

  /**
   * Media counters of the whole gateway, and what the last complete media-retention walk counted
   * in the store (null before the first one); null when Redis cannot be read.
   */
  async function media() {
    return withRedis(deps.redis, async () => {
      const [counters, inventory] = await Promise.all([
        readMediaCounters(deps.redis, deps.redisPrefix),
        readMediaInventory(deps.redis, deps.redisPrefix),
      ]);
      return {
        counters,
        inventory: inventory && { ...inventory, measuredAt: inventory.measuredAt.toISOString() },
      };
    }).catch(() => null);
  }

  async function metrics() {
    const [report, messages, queueRatesNow, mediaNow] = await Promise.all([
      deps.health.report(),
      deps.repos.messages.countByStatus().catch(() => null),
      queueRates(),
      media(),
    ]);
    const memory = process.memoryUsage();
    const breakers = Object.entries(report.circuitBreakers);
    return {
      timestamp: new Date().toISOString(),
      status: report.status,
      reasons: report.reasons,
      system: {
        cpu: {
          processShareOfOneCore: cpuShare(),
          cores: cpus().length,
          loadAverage: loadavg(),
        },
        memory: {
          process: {
            rss: memory.rss,
            heapUsed: memory.heapUsed,
            heapTotal: memory.heapTotal,
            external: memory.external,
          },
          systemTotal: totalmem(),
          systemFree: freemem(),
        },
        uptime: { process: Math.round(process.uptime()), system: Math.round(systemUptime()) },
      },
      database: { status: report.database, ...report.checks.database },
      redis: { status: report.redis, ...report.checks.redis },
      sessions: report.sessions,
      messages,
      circuitBreakers: {
        total: breakers.length,
        open: breakers.filter(([, b]) => b.state === 'open').length,
        halfOpen: breakers.filter(([, b]) => b.state === 'half-open').length,
        breakers: report.circuitBreakers,
      },
      workers: report.workers,
      missingWorkers: report.missingWorkers,
      queues: report.queues,
      queueRates: queueRatesNow,
      // { <event>: { count, bytes } } for stored, fetched, received, sent, failed, deleted.
      media: mediaNow?.counters ?? null,
      mediaStore: { check: report.checks.media ?? null, inventory: mediaNow?.inventory ?? null },
    };
  }

  /** Runs under the task's run lock, so it never overlaps a scheduled run on another process. */
  async function cleanup(): Promise<MaintenanceRunReport> {
    return withRedis(deps.redis, () =>
      runMaintenanceTask('stale-session-cleanup', {
        repos: deps.repos,
        leases,
        redis: deps.redis,
        prefix: deps.redisPrefix,
        staleSessionAgeMs: deps.staleSessionAgeMs,
        // Read only by revive-failed-sessions, which the API never runs.
        revivalCooldownMs: Number.MAX_SAFE_INTEGER,
      }),
    );
  }

  async function close(): Promise<void> {
    await maintenance?.close();
  }

  return { metrics, cleanup, close };
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;
