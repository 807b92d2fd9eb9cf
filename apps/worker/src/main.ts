import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfigOrExit, loadWorkerConfig } from '@wagw/config';
import { createLogger } from '@wagw/logger';
import { createConsumerConnection, startHeartbeat } from '@wagw/queue';
import { installGracefulShutdown } from '@wagw/resilience';
import { installFastXeddsaVerify } from '@wagw/xeddsa';
import { trackHeapAfterGc } from './sessions/heap-after-gc.js';
import { startWorker } from './worker.js';

const config = loadConfigOrExit(() => loadWorkerConfig(process.env));
const logger = createLogger({
  name: 'worker',
  level: config.logLevel,
  base: { instanceId: config.instanceId },
});

// Before any socket: signature checks in every handshake and new Signal session (see the file).
installFastXeddsaVerify();
const worker = await startWorker(config, logger);

const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();
const heapAfterGc = trackHeapAfterGc();
// Its own connection: heartbeats must keep flowing while the worker's other connections are busy.
const heartbeatRedis = createConsumerConnection(config.redis.url);
heartbeatRedis.on('error', (err) => logger.warn({ err }, 'redis error (heartbeat)'));
const heartbeat = startHeartbeat({
  redis: heartbeatRedis,
  prefix: config.redis.prefix,
  role: 'worker',
  instanceId: config.instanceId,
  intervalMs: config.heartbeatIntervalMs,
  collect: () => {
    const facts = {
      ...worker.stats(),
      rss: process.memoryUsage().rss,
      // What survives a full collection: the leak signal (heapUsed saws with every collection).
      ...heapAfterGc.stats(),
      // Sockets, timers and other live handles: a leak shows here before it shows in memory.
      handles: process.getActiveResourcesInfo().length,
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
  tolerateUnhandledRejections: true,
  async close() {
    await worker.close();
    await heartbeat.stop();
    loopDelay.disable();
    heapAfterGc.stop();
    await heartbeatRedis.quit().catch(() => heartbeatRedis.disconnect());
  },
});

logger.info({ capacity: config.maxSessions }, 'worker ready');
