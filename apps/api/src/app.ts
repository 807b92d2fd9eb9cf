import { randomUUID } from 'node:crypto';
import type { ApiConfig } from '@wagw/config';
import type { Database } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { registerAuth } from './plugins/auth.js';
import { registerErrorHandling } from './plugins/error-handler.js';
import { healthRoutes } from './routes/health/health.routes.js';
import { createHealthService } from './routes/health/health.service.js';
import { sessionsRoutes } from './routes/sessions/sessions.routes.js';

export interface AppDeps {
  config: Pick<ApiConfig, 'apiKey' | 'bodyLimit' | 'trustProxy'>;
  logger: Logger;
  db: Database;
  /** A producer connection (fails fast): the API never waits on a Redis that is down. */
  redis: Redis;
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
  await app.register(sessionsRoutes({ db: deps.db }));

  app.decorate('markShuttingDown', () => {
    shuttingDown = true;
  });
  return app;
}
