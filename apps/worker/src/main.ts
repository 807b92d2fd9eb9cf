import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfigOrExit, loadWorkerConfig } from '@wagw/config';
import { createDatabase } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { createConsumerConnection, startHeartbeat } from '@wagw/queue';
import { installGracefulShutdown } from '@wagw/resilience';

const config = loadConfigOrExit(() => loadWorkerConfig(process.env));
const logger = createLogger({
  name: 'worker',
  level: config.logLevel,
  base: { instanceId: config.instanceId },
});

// Consumers wait for Redis (maxRetriesPerRequest: null): a Redis restart must not kill a worker.
const redis = createConsumerConnection(config.redis.url);
redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));

const db = await createDatabase(config.database);
await db.migrate();

const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

const heartbeat = startHeartbeat({
  redis,
  prefix: config.redis.prefix,
  role: 'worker',
  instanceId: config.instanceId,
  intervalMs: config.heartbeatIntervalMs,
  collect: () => {
    const facts = {
      capacity: config.maxSessions,
      sessions: 0,
      rss: process.memoryUsage().rss,
      eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
    };
    loopDelay.reset();
    return facts;
  },
  onError: (err) => logger.warn({ err }, 'heartbeat failed'),
});
await heartbeat.ready;

installGracefulShutdown({
  logger,
  timeoutMs: config.shutdownTimeoutMs,
  async close() {
    await heartbeat.stop();
    loopDelay.disable();
    await db.close();
    await redis.quit().catch(() => redis.disconnect());
  },
});

logger.info({ capacity: config.maxSessions }, 'worker ready');
