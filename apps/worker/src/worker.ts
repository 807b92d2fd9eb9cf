import type { WorkerConfig } from '@wagw/config';
import { createDatabase } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import {
  createConsumerConnection,
  createLeaseStore,
  createProducerConnection,
  QUEUES,
  redisKeys,
  type SessionCommandJob,
  waitUntilReady,
} from '@wagw/queue';
import { createBulkhead } from '@wagw/resilience';
import { Worker } from 'bullmq';
import { createChatEvents, withChatEvents } from './chats/chat-events.js';
import { createGroupEvents, withGroupEvents } from './groups/group-events.js';
import { createGroupStore } from './groups/group-store.js';
import { createWorkerMedia } from './media/worker-media.js';
import { createWorkerMessaging } from './messaging/worker-messaging.service.js';
import { createMemoryGuard } from './sessions/memory-guard.js';
import { createSessionEvents } from './sessions/session-events.js';
import { createSessionManager } from './sessions/session-manager.js';
import { startSessionRpcHost } from './sessions/session-rpc-host.js';
import { createSessionRunner } from './sessions/session-runner.js';
import { createSocketFactory } from './sessions/socket-factory.js';
import { startWebhookDispatch } from './webhooks/webhook-dispatch.service.js';

/**
 * Everything one worker process runs: the session manager (leases, reconciliation, runners), the
 * session-command consumer and the nudge subscription. main.ts adds config, logging and signals.
 */
export async function startWorker(config: WorkerConfig, logger: Logger) {
  const db = await createDatabase(config.database);
  await db.migrate();
  const { prefix } = config.redis;
  const keys = redisKeys(prefix);
  // Leases and events fail fast (a renewal that hangs is worse than one that fails); BullMQ and the
  // subscriber wait for Redis to come back.
  const redis = createProducerConnection(config.redis.url);
  const consumer = createConsumerConnection(config.redis.url);
  const subscriber = createConsumerConnection(config.redis.url);
  const dispatchConnection = createConsumerConnection(config.redis.url);
  // Blocks in BLPOP on this worker's session RPC requests; nothing else may share it.
  const rpcConnection = createConsumerConnection(config.redis.url, { connectionName: 'wagw-worker-rpc' });
  for (const conn of [redis, consumer, subscriber, dispatchConnection, rpcConnection])
    conn.on('error', (err) => logger.warn({ err }, 'redis error'));
  await waitUntilReady(redis);

  const leases = createLeaseStore({ redis, prefix, ttlMs: config.leaseTtlMs });
  const media = createWorkerMedia(config.media, config.whatsapp.mediaOriginOverride);
  const factory = createSocketFactory(config.whatsapp, media.transport);
  const groupStore = createGroupStore(db.repos);
  const connectGate = createBulkhead(config.reconnect.concurrency);
  const messaging = createWorkerMessaging({
    logger,
    repos: db.repos,
    redis,
    connection: consumer,
    prefix,
    delivery: config.delivery,
    sendBreaker: config.sendBreaker,
    dbBreaker: config.database,
    dbSpoolMax: config.dbSpoolMax,
    canWrite: () => db.canWrite(),
    media,
  });

  const events = createSessionEvents({
    redis,
    prefix,
    logger,
    workerId: config.instanceId,
    outbox: { remove: (ids) => messaging.db(() => db.repos.eventOutbox.remove(ids)) },
  });

  const webhooks = startWebhookDispatch({
    logger,
    repos: db.repos,
    db: messaging.db,
    redis,
    connection: consumer,
    dispatchConnection,
    prefix,
    consumerName: config.instanceId,
    webhooks: config.webhooks,
    delivery: config.webhookDelivery,
  });

  const manager = createSessionManager({
    workerId: config.instanceId,
    capacity: config.maxSessions,
    memory: createMemoryGuard(config.memory),
    announce: events,
    logger,
    repos: db.repos,
    leases,
    leaseMarginMs: config.leaseMarginMs,
    createRunner: (sessionId, holdsLease, onFinished, generation) => {
      // One child logger per session, shared by its parts (each child is a few objects of heap).
      const sessionLogger = logger.child({ sessionId });
      return createSessionRunner({
        sessionId,
        generation,
        workerId: config.instanceId,
        logger: sessionLogger,
        repos: db.repos,
        canWrite: () => db.canWrite(),
        factory: (auth, log) => factory(auth, log, { cachedGroupMetadata: groupStore.forSocket(sessionId) }),
        backoff: config.reconnect,
        watchdog: config.watchdog,
        holdsLease,
        connectSlot: (attempt) => connectGate.execute(attempt),
        statusEvent: events.statusEvent,
        onStatus: events.status,
        onQr: (qr) => events.qr(sessionId, qr),
        pairing: events.pairing(sessionId),
        messaging: withChatEvents(
          withGroupEvents(
            messaging.forSession(sessionId, { logger: sessionLogger, holdsLease }),
            createGroupEvents({
              sessionId,
              store: groupStore,
              addEvents: (events) => messaging.db(() => db.repos.eventOutbox.add(events)),
              publishStored: messaging.publishStored,
              redis,
              prefix,
              logger: sessionLogger,
            }),
          ),
          createChatEvents({
            sessionId,
            repos: db.repos,
            db: messaging.db,
            publishStored: messaging.publishStored,
            logger: sessionLogger,
          }),
        ),
        onLidMappings: (pairs) =>
          void messaging
            .db(() => db.repos.contacts.recordLidMappings(sessionId, pairs))
            .catch((err) => logger.warn({ err, sessionId }, 'recording LID mappings failed')),
        onFinished: async (mode) => {
          await messaging.release(sessionId);
          await onFinished(mode);
        },
      });
    },
  });

  const rpc = startSessionRpcHost({
    workerId: config.instanceId,
    logger,
    connection: rpcConnection,
    redis,
    prefix,
    manager,
    contactCheck: config.contactCheck,
    pictureTimeoutMs: config.delivery.profilePictureTimeoutMs,
    groups: groupStore,
  });

  const commands = new Worker<SessionCommandJob>(
    QUEUES.sessionCommands,
    async (job) => {
      await manager.reconcileSession(job.data.sessionId);
      // The owner may be another worker: tell it to look now rather than at its next pass.
      const owner = await leases.owner(job.data.sessionId);
      if (owner && owner.workerId !== config.instanceId)
        await redis.publish(keys.reconcileChannel, job.data.sessionId);
    },
    { connection: consumer, prefix, concurrency: 10 },
  );
  commands.on('error', (err) => logger.warn({ err }, 'session command worker error'));

  await subscriber.subscribe(keys.reconcileChannel, keys.sendWakeChannel);
  subscriber.on('message', (channel: string, sessionId: string) => {
    if (channel === keys.sendWakeChannel) {
      messaging.wake(sessionId);
      return;
    }
    const work = sessionId === '*' ? manager.reconcileAll() : manager.reconcileSession(sessionId);
    work.catch((err) => logger.error({ err, sessionId }, 'reconcile after nudge failed'));
  });

  // Lease upkeep runs until every session has stopped: a shutdown drains sends first, and a lease
  // lapsing meanwhile would let another worker connect while this socket is still open.
  const leaseTimers = [
    setInterval(() => void manager.renewLeases(), Math.max(100, Math.floor(config.leaseTtlMs / 3))),
    setInterval(() => manager.enforceLeaseDeadlines(), 250),
  ];
  const reconcileTimer = setInterval(
    () => void manager.reconcileAll().catch((err) => logger.error({ err }, 'reconcile pass failed')),
    config.reconcileIntervalMs,
  );
  void manager.reconcileAll().catch((err) => logger.error({ err }, 'first reconcile pass failed'));

  return {
    manager,
    stats: () => ({
      ...manager.stats(),
      breakers: { ...messaging.breakers(), ...webhooks.breakers() },
      dbSpool: messaging.spool(),
    }),
    /** Graceful: stop taking work, close sockets without logging out, release leases, close stores. */
    async close(): Promise<void> {
      clearInterval(reconcileTimer);
      await commands.close();
      // Before the sessions: requests in hand finish on their sockets (each within its deadline).
      await rpc.close();
      await subscriber.quit().catch(() => subscriber.disconnect());
      await manager.shutdown();
      for (const timer of leaseTimers) clearInterval(timer);
      await events.flush();
      await messaging.close();
      // After the sessions: their last status events are still fanned out and delivered.
      await webhooks.close();
      // Tell the other workers these sessions are free now, so they do not wait for a pass.
      await redis.publish(keys.reconcileChannel, '*').catch(() => undefined);
      await db.close();
      await Promise.all(
        [redis, consumer, dispatchConnection].map((conn) => conn.quit().catch(() => conn.disconnect())),
      );
    },
  };
}
