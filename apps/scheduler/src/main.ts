import { loadConfigOrExit, loadSchedulerConfig } from '@wagw/config';
import { createDatabase } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { createConsumerConnection, startHeartbeat } from '@wagw/queue';
import { installGracefulShutdown } from '@wagw/resilience';

const config = loadConfigOrExit(() => loadSchedulerConfig(process.env));
const logger = createLogger({
  name: 'scheduler',
  level: config.logLevel,
  base: { instanceId: config.instanceId },
});

const redis = createConsumerConnection(config.redis.url);
redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));

const db = await createDatabase(config.database);
await db.migrate();

const heartbeat = startHeartbeat({
  redis,
  prefix: config.redis.prefix,
  role: 'scheduler',
  instanceId: config.instanceId,
  intervalMs: config.heartbeatIntervalMs,
  collect: () => ({ cleanupIntervalMs: config.cleanupIntervalMs }),
  onError: (err) => logger.warn({ err }, 'heartbeat failed'),
});
await heartbeat.ready;

installGracefulShutdown({
  logger,
  timeoutMs: config.shutdownTimeoutMs,
  async close() {
    await heartbeat.stop();
    await db.close();
    await redis.quit().catch(() => redis.disconnect());
  },
});

logger.info({ cleanupIntervalMs: config.cleanupIntervalMs }, 'scheduler ready');
