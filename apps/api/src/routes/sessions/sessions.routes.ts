import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponse, sessionIdParams } from '../../lib/http-schemas.js';
import { sessionScope } from '../../plugins/auth.js';
import { toSessionEventView, toSessionView } from './session-view.js';
import {
  createSessionBody,
  listSessionsQuery,
  listSessionsResponse,
  sessionEventsQuery,
  sessionEventsResponse,
  sessionView,
} from './sessions.schemas.js';
import type { CommandKind, SessionService } from './sessions.service.js';

export interface SessionsRoutesDeps {
  sessions: SessionService;
}

const tags = ['sessions'];
/** Commands answer 202: the intent is recorded, a worker carries it out asynchronously. */
const commandResponses = { 202: sessionView, 404: errorResponse, 503: errorResponse };

export function sessionsRoutes(deps: SessionsRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const { sessions } = deps;

    // Routes under /api/sessions/:id are checked by the auth hook (a session key only on its own
    // :id); the listing is a 'resource' route that narrows itself to the key's session.
    routes.get(
      '/api/sessions',
      {
        config: { sessionAccess: 'resource' },
        schema: { tags, querystring: listSessionsQuery, response: { 200: listSessionsResponse } },
      },
      async (request) => {
        const list = await sessions.list(request.query.status ? { status: request.query.status } : undefined);
        const scope = sessionScope(request);
        return { items: list.filter((s) => scope === undefined || s.id === scope).map(toSessionView) };
      },
    );

    routes.post(
      '/api/sessions',
      {
        schema: {
          tags,
          body: createSessionBody,
          response: { 201: sessionView, 409: errorResponse, 503: errorResponse },
        },
      },
      async (request, reply) => {
        const session = await sessions.create(request.body, request.id);
        return reply.code(201).send(toSessionView(session));
      },
    );

    routes.get(
      '/api/sessions/:id',
      { schema: { tags, params: sessionIdParams, response: { 200: sessionView, 404: errorResponse } } },
      async (request) => toSessionView(await sessions.get(request.params.id)),
    );

    for (const kind of ['start', 'stop', 'restart', 'logout'] as const satisfies readonly CommandKind[]) {
      routes.post(
        `/api/sessions/:id/${kind}`,
        { schema: { tags, params: sessionIdParams, response: commandResponses } },
        async (request, reply) => {
          const session = await sessions.command(request.params.id, kind, request.id);
          return reply.code(202).send(toSessionView(session));
        },
      );
    }

    routes.delete(
      '/api/sessions/:id',
      { schema: { tags, params: sessionIdParams, response: commandResponses } },
      async (request, reply) => {
        const session = await sessions.remove(request.params.id, request.id);
        return reply.code(202).send(toSessionView(session));
      },
    );

    routes.get(
      '/api/sessions/:id/events',
      {
        schema: {
          tags,
          params: sessionIdParams,
          querystring: sessionEventsQuery,
          response: { 200: sessionEventsResponse, 404: errorResponse },
        },
      },
      async (request) => {
        const events = await sessions.history(request.params.id, request.query.limit);
        return { items: events.map(toSessionEventView) };
      },
    );
  };
}
