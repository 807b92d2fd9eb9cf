import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { healthResponse, probeResponse } from './health.schemas.js';
import type { HealthService } from './health.service.js';

export interface HealthRoutesDeps {
  health: HealthService;
  /** True once shutdown began: readiness fails so the load balancer drains this replica. */
  isShuttingDown: () => boolean;
}

/**
 * /api/health: the full report (200 when everything answers, 503 otherwise).
 * /api/health/live: the process is up and its event loop turns (no dependency checks).
 * /api/health/ready: take traffic? 503 while shutting down or when Redis or the database is unreachable.
 */
export function healthRoutes(deps: HealthRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get(
      '/api/health',
      { schema: { tags: ['health'], response: { 200: healthResponse, 503: healthResponse } } },
      async (_request, reply) => {
        const report = await deps.health.checkDependencies();
        const healthy = report.database === 'connected' && report.redis === 'connected';
        const memory = process.memoryUsage();
        return reply.code(healthy ? 200 : 503).send({
          status: healthy ? 'ok' : 'error',
          timestamp: new Date().toISOString(),
          uptime: Math.round(process.uptime()),
          memory: {
            rss: memory.rss,
            heapUsed: memory.heapUsed,
            heapTotal: memory.heapTotal,
            external: memory.external,
          },
          ...report,
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
      { schema: { tags: ['health'], response: { 200: probeResponse, 503: probeResponse } } },
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
