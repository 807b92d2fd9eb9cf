import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../lib/http-schemas.js';
import { healthResponse, probeResponse } from './health.schemas.js';
import type { HealthService } from './health.service.js';

export interface HealthRoutesDeps {
  health: HealthService;
  /** True once shutdown began: readiness fails so the load balancer drains this replica. */
  isShuttingDown: () => boolean;
}

/**
 * /api/health: the full report, ok|degraded|error (docs/operations.md); 200 unless error, then 503.
 * /api/health/live: the process is up and its event loop turns (no dependency checks).
 * /api/health/ready: take traffic? 503 while shutting down or when Redis or the database is unreachable.
 */
export function healthRoutes(deps: HealthRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get(
      '/api/health',
      // 503 is either the report (a store is down) or the envelope (load shed: SERVICE_OVERLOADED).
      {
        schema: {
          tags: ['health'],
          response: { 200: healthResponse, 503: z.union([healthResponse, errorResponse]) },
        },
      },
      async (_request, reply) => {
        const report = await deps.health.report();
        const memory = process.memoryUsage();
        // degraded still serves traffic: only an unreachable store makes the replica unfit (503).
        return reply.code(report.status === 'error' ? 503 : 200).send({
          ...report,
          timestamp: new Date().toISOString(),
          uptime: Math.round(process.uptime()),
          memory: {
            rss: memory.rss,
            heapUsed: memory.heapUsed,
            heapTotal: memory.heapTotal,
            external: memory.external,
          },
        });
      },
    );

    routes.get(
      '/api/health/live',
      { schema: { tags: ['health'], response: { 200: probeResponse } } },
      async () => ({
        status: 'ok' as const,
      }),
    );

    routes.get(
      '/api/health/ready',
      {
        schema: {
          tags: ['health'],
          response: { 200: probeResponse, 503: z.union([probeResponse, errorResponse]) },
        },
      },
      async (_request, reply) => {
        if (deps.isShuttingDown()) return reply.code(503).send({ status: 'error', reason: 'shutting down' });
        const report = await deps.health.checkDependencies();
        const down = [
          report.redis === 'disconnected' && 'redis',
          report.database === 'disconnected' && 'database',
        ]
          .filter(Boolean)
          .join(', ');
        if (down) return reply.code(503).send({ status: 'error', reason: `unreachable: ${down}` });
        return { status: 'ok' as const };
      },
    );
  };
}
