import type { Repositories } from '@wagw/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse, sessionIdParams } from '../../lib/http-schemas.js';
import { requireSession } from '../../lib/session-guard.js';

export interface SessionStatsRoutesDeps {
  repos: { sessions: Pick<Repositories['sessions'], 'getById'> } & {
    messages: Pick<Repositories['messages'], 'countSince'>;
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

const sessionStatsResponse = z.object({
  sent24h: z.number().describe('outbound messages that reached `sent` in the last 24 hours'),
  received24h: z.number().describe('inbound messages of the last 24 hours'),
  since: z.string().describe('the start of the period counted (now − 24 h)'),
});

/** GET /api/sessions/:id/stats: a session's message counts of the last 24 hours (two index range scans). */
export function sessionStatsRoutes(deps: SessionStatsRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/api/sessions/:id/stats',
      {
        schema: {
          tags: ['sessions'],
          summary: 'Messages the session sent and received in the last 24 hours',
          params: sessionIdParams,
          response: { 200: sessionStatsResponse, 403: errorResponse, 404: errorResponse },
        },
      },
      async (request) => {
        await requireSession(deps.repos.sessions, request.params.id);
        const since = new Date(Date.now() - DAY_MS);
        const counts = await deps.repos.messages.countSince(request.params.id, since);
        return { sent24h: counts.sent, received24h: counts.received, since: since.toISOString() };
      },
    );
  };
}
