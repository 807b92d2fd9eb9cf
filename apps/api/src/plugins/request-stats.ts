import type { FastifyInstance } from 'fastify';

/** What this replica has served since it started; published in its heartbeat (replica-heartbeat.ts). */
export interface RequestStats {
  /** Requests ended since start (answered, or abandoned by the client). */
  served: number;
  /** Of those, answered with a 5xx: a replica whose share climbs is the one to look at. */
  serverErrors: number;
  /** Requests received and not yet answered (SSE streams count while open). */
  inFlight: number;
}

/**
 * Counts requests with one hook and three integers: cheap enough for every request, and enough
 * for health to show each replica's share of the traffic and its errors without scraping /metrics.
 */
export function registerRequestStats(app: FastifyInstance): () => RequestStats {
  const stats: RequestStats = { served: 0, serverErrors: 0, inFlight: 0 };
  app.addHook('onRequest', async (_request, reply) => {
    stats.inFlight += 1;
    // 'close' fires once per response, finished or cut by the client; Fastify's onResponse runs
    // only for finished ones, so an abandoned request would stay "in flight" forever.
    reply.raw.once('close', () => {
      stats.inFlight -= 1;
      stats.served += 1;
      if (reply.raw.statusCode >= 500) stats.serverErrors += 1;
    });
  });
  return () => ({ ...stats });
}
