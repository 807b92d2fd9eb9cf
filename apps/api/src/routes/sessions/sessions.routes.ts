import type { Database, Session } from '@wagw/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { listSessionsQuery, listSessionsResponse, type sessionView } from './sessions.schemas.js';

export interface SessionsRoutesDeps {
  db: Pick<Database, 'repos'>;
}

export function toSessionView(session: Session): z.infer<typeof sessionView> {
  return {
    id: session.id,
    name: session.name,
    desiredState: session.desiredState,
    status: session.status,
    statusReason: session.statusReason,
    lastDisconnectCode: session.lastDisconnectCode,
    statusChangedAt: session.statusChangedAt.toISOString(),
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
  };
}

export function sessionsRoutes(deps: SessionsRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get(
      '/api/sessions',
      {
        schema: {
          tags: ['sessions'],
          querystring: listSessionsQuery,
          response: { 200: listSessionsResponse },
        },
      },
      async (request) => {
        const sessions = await deps.db.repos.sessions.list(
          request.query.status ? { status: request.query.status } : undefined,
        );
        return { items: sessions.map(toSessionView) };
      },
    );
  };
}
