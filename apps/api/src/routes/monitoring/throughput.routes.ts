import type { Repositories } from '@wagw/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../lib/http-schemas.js';

export interface ThroughputRoutesDeps {
  messages: Pick<Repositories['messages'], 'countPerMinute'>;
  /** Default: Date.now (tests pin the clock). */
  now?: () => number;
}

const MINUTE_MS = 60_000;
/** Minutes in the answer: the last hour, the current (partial) minute last. */
const THROUGHPUT_MINUTES = 60;

const throughputResponse = z.object({
  minutes: z
    .array(
      z.object({
        at: z.string().describe('the first instant of the minute (ISO 8601, UTC)'),
        sent: z.number().describe('outbound messages that reached `sent` in that minute'),
        received: z.number().describe('inbound messages WhatsApp timestamped in that minute'),
      }),
    )
    .describe(`${THROUGHPUT_MINUTES} minutes, oldest first; the last one is the current minute so far`),
});

/**
 * Messages per minute over the last hour, every minute present (0 when quiet), for the dashboard's
 * System chart. Read from the database, so every replica answers the same, and nothing is lost
 * when Redis restarts.
 */
export async function lastHourThroughput(deps: ThroughputRoutesDeps) {
  const now = (deps.now ?? Date.now)();
  const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const since = current - (THROUGHPUT_MINUTES - 1) * MINUTE_MS;
  const rows = await deps.messages.countPerMinute(new Date(since), new Date(current + MINUTE_MS));
  const byMinute = new Map(rows.map((row) => [row.minute.getTime(), row]));
  return {
    minutes: Array.from({ length: THROUGHPUT_MINUTES }, (_, i) => {
      const at = since + i * MINUTE_MS;
      const row = byMinute.get(at);
      return { at: new Date(at).toISOString(), sent: row?.sent ?? 0, received: row?.received ?? 0 };
    }),
  };
}

/** GET /api/monitoring/throughput: admin only, like the rest of /api/monitoring. */
export function throughputRoutes(deps: ThroughputRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/api/monitoring/throughput',
      {
        schema: {
          tags: ['monitoring'],
          summary: 'Messages sent and received per minute over the last hour',
          response: { 200: throughputResponse, 403: errorResponse },
        },
      },
      async () => lastHourThroughput(deps),
    );
  };
}
