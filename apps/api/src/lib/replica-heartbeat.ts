import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '@wagw/logger';
import { type RedisConnection, startHeartbeat } from '@wagw/queue';
import type { RequestStats } from '../plugins/request-stats.js';

export interface ReplicaHeartbeatOptions {
  redis: RedisConnection;
  prefix: string;
  instanceId: string;
  intervalMs: number;
  logger: Logger;
  requestStats: () => RequestStats;
}

/**
 * An API replica's heartbeat (role `api`), so health on any replica lists every replica: which are
 * up, their traffic, errors, memory and event-loop delay, and which stopped beating. Without it an
 * operator behind a load balancer cannot tell from health how many replicas serve, or which is sick.
 */
export function startReplicaHeartbeat(options: ReplicaHeartbeatOptions) {
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const heartbeat = startHeartbeat({
    redis: options.redis,
    prefix: options.prefix,
    role: 'api',
    instanceId: options.instanceId,
    intervalMs: options.intervalMs,
    collect: () => {
      const facts = {
        ...options.requestStats(),
        rss: process.memoryUsage().rss,
        eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
      };
      loopDelay.reset();
      return facts;
    },
    onError: (err) => options.logger.warn({ err }, 'heartbeat failed'),
  });
  return {
    /** The first beat; a replica that cannot reach Redis still serves (health says why). */
    ready: heartbeat.ready.catch((err) => options.logger.warn({ err }, 'first heartbeat failed')),
    /** Stops beating and removes this replica's entry, so a clean stop is not reported missing. */
    async stop(): Promise<void> {
      loopDelay.disable();
      await heartbeat.stop().catch((err) => options.logger.warn({ err }, 'heartbeat stop failed'));
    },
  };
}
