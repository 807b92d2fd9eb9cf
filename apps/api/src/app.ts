import { randomUUID } from 'node:crypto';
import type { ApiConfig } from '@wagw/config';
import type { Database } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { registerAuth } from './plugins/auth.js';
import { registerErrorHandling } from './plugins/error-handler.js';
import { eventsRoutes } from './routes/events/events.routes.js';
import { healthRoutes } from './routes/health/health.routes.js';
import { createHealthService } from './routes/health/health.service.js';
import { pairingRoutes } from './routes/sessions/pairing.routes.js';
import { createPairingService } from './routes/sessions/pairing.service.js';
import { qrRoutes } from './routes/sessions/qr.routes.js';
import { createQrService } from './routes/sessions/qr.service.js';
import { sessionsRoutes } from './routes/sessions/sessions.routes.js';
import { createSessionService } from './routes/sessions/sessions.service.js';

export interface AppDeps {
  config: Pick<ApiConfig, 'apiKey' | 'bodyLimit' | 'trustProxy'>;
  logger: Logger;
  db: Database;
  /** A producer connection (fails fast): the API never waits on a Redis that is down. */
  redis: Redis;
  /** BullMQ queue `session-commands` (QUEUES.sessionCommands) on the producer connection. */
  sessionCommands: Queue;
  /** Prefix of our own Redis keys (QUEUE_PREFIX): QR, pairing, nudge channel, event stream. */
  redisPrefix: string;
  /** Where each SSE client's dedicated consumer connection goes (XREAD BLOCK holds a connection). */
  redisUrl: string;
  /** How long POST pairing-code waits for the worker's code before answering 202. Default 10000 ms. */
  pairingWaitMs?: number;
  /** Concurrent SSE streams per replica; beyond it 503 SERVICE_OVERLOADED. Default 100. */
  maxEventStreams?: number;
  /** Interval of the SSE keep-alive comment. Default 15000 ms. */
  eventStreamPingMs?: number;
  /** Socket-level timeouts chosen by the process (main.ts); tests leave them at Fastify's defaults. */
  serverOptions?: Pick<FastifyServerOptions, 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'>;
  /** Budget for each dependency check in health and readiness. Default 2000 ms. */
  healthCheckTimeoutMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Flips readiness to 503 so a load balancer drains this replica before it closes. */
    markShuttingDown(): void;
  }
}

/** Builds the whole API as a Fastify instance. It never listens: main.ts does, tests use inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; widening keeps plugins typed against the default instance.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimit,
    trustProxy: deps.config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ...deps.serverOptions,
  });
  let shuttingDown = false;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  registerAuth(app, { adminKey: deps.config.apiKey, publicPrefixes: ['/api/health'] });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  const health = createHealthService({
    db: deps.db,
    redis: deps.redis,
    checkTimeoutMs: deps.healthCheckTimeoutMs ?? 2000,
  });
  await app.register(healthRoutes({ health, isShuttingDown: () => shuttingDown }));
  const sessions = createSessionService({
    repos: deps.db.repos,
    redis: deps.redis,
    sessionCommands: deps.sessionCommands,
    redisPrefix: deps.redisPrefix,
  });
  const redisAccess = { redis: deps.redis, redisPrefix: deps.redisPrefix };
  await app.register(sessionsRoutes({ sessions }));
  await app.register(qrRoutes({ qr: createQrService({ sessions, ...redisAccess }) }));
  await app.register(
    pairingRoutes({
      pairing: createPairingService({ sessions, ...redisAccess, waitMs: deps.pairingWaitMs }),
    }),
  );
  await app.register(
    eventsRoutes({
      ...redisAccess,
      redisUrl: deps.redisUrl,
      maxStreams: deps.maxEventStreams,
      pingMs: deps.eventStreamPingMs,
    }),
  );

  app.decorate('markShuttingDown', () => {
    shuttingDown = true;
  });
  return app;
}
