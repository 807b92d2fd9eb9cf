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
  {
    cleanupIntervalMs: config.cleanupIntervalMs,
    revivalIntervalMs: config.revivalIntervalMs,
    mediaStore: config.media.store.kind,
    // 0: media is kept forever and the retention task is not scheduled.
    mediaRetentionDays: config.media.retention.days,
    mediaRetentionIntervalMs: config.media.retention.intervalMs,
  },
  'scheduler ready',
);
