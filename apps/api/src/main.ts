import { loadApiConfig, loadConfigOrExit } from '@wagw/config';
import { createDatabase } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { openMediaStore } from '@wagw/media';
import { createProducerConnection, QUEUES, waitUntilReady } from '@wagw/queue';
import { installGracefulShutdown } from '@wagw/resilience';
import { createNetworkPolicy } from '@wagw/webhooks';
import { Queue } from 'bullmq';
import { buildApp } from './app.js';
import { startReplicaHeartbeat } from './lib/replica-heartbeat.js';

const config = loadConfigOrExit(() => loadApiConfig(process.env));
const logger = createLogger({ name: 'api', level: config.logLevel, base: { instanceId: config.instanceId } });

const db = await createDatabase(config.database);
await db.migrate();

const redis = createProducerConnection(config.redis.url);
redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
// Shares the fail-fast producer connection: a command while Redis is down is a 503, never a hang.
const sessionCommands = new Queue(QUEUES.sessionCommands, { connection: redis, prefix: config.redis.prefix });
sessionCommands.on('error', (err) => logger.warn({ err }, 'session command queue error'));

const { store: mediaStoreConfig, ...mediaLimits } = config.media;
const mediaStore = openMediaStore(mediaStoreConfig);

const app = await buildApp({
  config,
  logger,
  db,
  redis,
  sessionCommands,
  redisPrefix: config.redis.prefix,
  redisUrl: config.redis.url,
  maxEventStreams: config.maxEventStreams,
  maxEventStreamsPerKey: config.maxEventStreamsPerKey,
  loadShedding: config.loadShedding,
  webhooks: {
    policy: createNetworkPolicy(config.webhooks.allowedNetworks),
    global: config.webhooks.global,
    retry: config.webhooks.retry,
  },
  media: { store: mediaStore, ...mediaLimits },
  // Explicit socket timeouts: a slow or stalled client must not hold a connection forever.
  serverOptions: {
    connectionTimeout: config.requestTimeoutMs + 5000,
    requestTimeout: config.requestTimeoutMs + 5000,
    // Longer than typical load balancer idle timeouts (60 s) so the LB, not us, closes idle sockets.
    keepAliveTimeout: 65_000,
  },
});

// Started after listen (a replica is listed in health once it can serve); a signal may come first.
let heartbeat: ReturnType<typeof startReplicaHeartbeat> | undefined;

installGracefulShutdown({
  logger,
  timeoutMs: config.shutdownTimeoutMs,
  async close() {
    app.markShuttingDown();
    // Backstop: a client still holding a connection near the end of the budget is cut, so the stores
    // below are still released in order instead of the process being forced out.
    const cut = setTimeout(
      () => app.server.closeAllConnections(),
      Math.max(0, config.shutdownTimeoutMs - 5000),
    );
    cut.unref();
    // Stop accepting connections and let in-flight requests finish, then release the stores.
    await app.close();
    clearTimeout(cut);
    await heartbeat?.stop();
    await sessionCommands.close();
    await db.close();
    await redis.quit().catch(() => redis.disconnect());
  },
});

await app.listen({ port: config.port, host: config.host });
// The fail-fast connection may still be connecting (a cluster discovers its slots first): wait a
// little, so the first beat is not a failure logged for nothing. A Redis that is down does not hold
// the replica back: health says so, and the next beats retry.
await waitUntilReady(redis, 5000).catch(() => undefined);
heartbeat = startReplicaHeartbeat({
  redis,
  prefix: config.redis.prefix,
  instanceId: config.instanceId,
  intervalMs: config.heartbeatIntervalMs,
  logger,
  requestStats: () => app.requestStats(),
});
await heartbeat.ready;
