import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponse } from '../../lib/http-schemas.js';
import {
  listDeliveriesQuery,
  listDeliveriesResponse,
  testEventResponse,
} from './webhook-activity.schemas.js';
import type { WebhookActivityService } from './webhook-activity.service.js';
import { webhookAccess } from './webhooks.routes.js';
import { webhookParams } from './webhooks.schemas.js';

export interface WebhookActivityRoutesDeps {
  activity: WebhookActivityService;
}

const tags = ['webhooks'];
// Outside /api/sessions/:id: each route checks the webhook's session itself (webhookAccess).
const resource = { sessionAccess: 'resource' } as const;
const denied = { 403: errorResponse, 404: errorResponse };

/** /api/webhooks/:webhookId/test and /deliveries: try an endpoint, and see how it has been answering. */
export function webhookActivityRoutes(deps: WebhookActivityRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const { activity } = deps;

    routes.post(
      '/api/webhooks/:webhookId/test',
      {
        config: resource,
        schema: {
          tags,
          summary: 'Queue a `webhook.test` event for this webhook only (409 while it is disabled)',
          params: webhookParams,
          response: { 202: testEventResponse, ...denied, 409: errorResponse, 503: errorResponse },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await activity.sendTest(request.params.webhookId, webhookAccess(request))),
    );

    routes.get(
      '/api/webhooks/:webhookId/deliveries',
      {
        config: resource,
        schema: {
          tags,
          summary: "The webhook's recent delivery attempts, newest first: outcome, HTTP status, duration",
          params: webhookParams,
          querystring: listDeliveriesQuery,
          response: { 200: listDeliveriesResponse, ...denied, 503: errorResponse },
        },
      },
      async (request) =>
        activity.deliveries(request.params.webhookId, request.query.limit, webhookAccess(request)),
    );
  };
}
