import type { FastifyInstance } from 'fastify';
import type { MonitoringService } from './monitoring.service.js';

export interface MonitoringRoutesDeps {
  monitoring: MonitoringService;
}

/**
 * /api/monitoring/*: authenticated (admin) operations views. The documents are large and change
 * with the heartbeats, so they are described in docs/operations.md rather than a response schema.
 */
export function monitoringRoutes(deps: MonitoringRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.addHook('onClose', async () => deps.monitoring.close());

    app.get(
      '/api/monitoring/metrics',
      {
        schema: {
          tags: ['monitoring'],
          summary: 'System, sessions, breakers, queues and stores in one JSON',
        },
      },
      async () => deps.monitoring.metrics(),
    );

    app.post(
      '/api/monitoring/cleanup',
      {
        schema: {
          tags: ['monitoring'],
          summary: 'Run the stale-session cleanup now (under its run lock) and return its report',
        },
      },
      async () => deps.monitoring.cleanup(),
    );
  };
}
