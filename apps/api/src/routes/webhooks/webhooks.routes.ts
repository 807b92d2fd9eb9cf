import { AppError } from '@wagw/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse, sessionIdParams } from '../../lib/http-schemas.js';
import { assertSessionAccess, sessionScope } from '../../plugins/auth.js';
import type { Authorize, WebhookAdminService } from './webhook-admin.service.js';
import {
  createdWebhook,
  createSessionWebhookBody,
  createWebhookBody,
  listWebhooksQuery,
  listWebhooksResponse,
  updatedWebhook,
  updateWebhookBody,
  webhookParams,
  webhookView,
} from './webhooks.schemas.js';

export interface WebhooksRoutesDeps {
  webhooks: WebhookAdminService;
}

const tags = ['webhooks'];

/**
 * Who may touch a webhook: the admin any; a session key only its own session's. Global webhooks
 * (session null, `config` included) are admin only.
 */
export function webhookAccess(request: FastifyRequest): Authorize {
  return (sessionId) => {
    if (sessionId !== null) return assertSessionAccess(request, sessionId);
    if (request.principal?.kind !== 'admin') {
      throw new AppError('FORBIDDEN', 'global webhooks (and `config`) need the admin API key');
    }
  };
}

// Routes outside /api/sessions/:id are 'resource' routes (auth.ts): they check the webhook's session.
const resource = { sessionAccess: 'resource' } as const;

export function webhooksRoutes(deps: WebhooksRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const { webhooks } = deps;

    routes.get(
      '/api/webhooks',
      {
        config: resource,
        schema: {
          tags,
          summary: 'List webhooks (a session key: those of its session; the admin: all, `config` first)',
          querystring: listWebhooksQuery,
          response: { 200: listWebhooksResponse, 403: errorResponse },
        },
      },
      async (request) => {
        const scope = sessionScope(request);
        const wanted = request.query.sessionId;
        if (scope === undefined) return { items: await webhooks.list({ sessionId: wanted }) };
        if (wanted !== undefined) assertSessionAccess(request, wanted);
        return { items: await webhooks.list({ sessionId: scope }) };
      },
    );

    routes.post(
      '/api/webhooks',
      {
        config: resource,
        schema: {
          tags,
          summary: 'Create a webhook for one session, or a global one (admin); returns the secret once',
          body: createWebhookBody,
          response: {
            201: createdWebhook,
            400: errorResponse,
            403: errorResponse,
            404: errorResponse,
            409: errorResponse,
          },
        },
      },
      async (request, reply) => {
        const { sessionId: requested, ...input } = request.body;
        // A session key that names no session means its own; naming null (global) is the admin's.
        const sessionId = requested === undefined ? (sessionScope(request) ?? null) : requested;
        webhookAccess(request)(sessionId);
        return reply.code(201).send(await webhooks.create(sessionId, input));
      },
    );

    routes.get(
      '/api/sessions/:id/webhooks',
      {
        schema: {
          tags,
          summary: 'List the own webhooks of the session (global ones are not included)',
          params: sessionIdParams,
          response: { 200: listWebhooksResponse, 404: errorResponse },
        },
      },
      async (request) => ({ items: await webhooks.listForSession(request.params.id) }),
    );

    routes.post(
      '/api/sessions/:id/webhooks',
      {
        schema: {
          tags,
          summary: 'Create a webhook for the session; returns the secret once',
          params: sessionIdParams,
          body: createSessionWebhookBody,
          response: { 201: createdWebhook, 400: errorResponse, 404: errorResponse, 409: errorResponse },
        },
      },
      async (request, reply) => reply.code(201).send(await webhooks.create(request.params.id, request.body)),
    );

    routes.get(
      '/api/webhooks/:webhookId',
      {
        config: resource,
        schema: {
          tags,
          summary: 'One webhook (`config`: the read-only one from configuration)',
          params: webhookParams,
          response: { 200: webhookView, 403: errorResponse, 404: errorResponse },
        },
      },
      async (request) => webhooks.get(request.params.webhookId, webhookAccess(request)),
    );

    routes.patch(
      '/api/webhooks/:webhookId',
      {
        config: resource,
        schema: {
          tags,
          summary: 'Change url, events, headers, secret (or rotateSecret) or enabled',
          params: webhookParams,
          body: updateWebhookBody,
          response: {
            200: updatedWebhook,
            400: errorResponse,
            403: errorResponse,
            404: errorResponse,
            409: errorResponse,
          },
        },
      },
      async (request) => webhooks.update(request.params.webhookId, request.body, webhookAccess(request)),
    );

    routes.delete(
      '/api/webhooks/:webhookId',
      {
        config: resource,
        schema: {
          tags,
          summary: 'Delete a webhook and its dead letters',
          params: webhookParams,
          response: {
            204: z.null().describe('deleted; no body'),
            403: errorResponse,
            404: errorResponse,
            409: errorResponse,
          },
        },
      },
      async (request, reply) => {
        await webhooks.remove(request.params.webhookId, webhookAccess(request));
        return reply.code(204).send(null);
      },
    );
  };
}
