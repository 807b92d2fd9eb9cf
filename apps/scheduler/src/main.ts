import { loadConfigOrExit, loadSchedulerConfig } from '@wagw/config';
import { createLogger } from '@wagw/logger';
import { installGracefulShutdown } from '@wagw/resilience';
import { startScheduler } from './scheduler.js';

const config = loadConfigOrExit(() => loadSchedulerConfig(process.env));
const logger = createLogger({
  name: 'scheduler',
  level: config.logLevel,
  base: { instanceId: config.instanceId },
});

const scheduler = await startScheduler(config, logger);

installGracefulShutdown({
  logger,
  timeoutMs: config.shutdownTimeoutMs,
  close: () => scheduler.close(),
});

logger.info(
  { cleanupIntervalMs: config.cleanupIntervalMs, revivalIntervalMs: config.revivalIntervalMs },
  'scheduler ready',
);
