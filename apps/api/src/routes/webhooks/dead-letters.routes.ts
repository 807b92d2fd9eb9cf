import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../lib/http-schemas.js';
import type { DeadLetterService } from './dead-letters.service.js';
import { webhookAccess } from './webhooks.routes.js';
import {
  deadLetterParams,
  discardResponse,
  listDeadLettersQuery,
  listDeadLettersResponse,
  replayResponse,
  webhookParams,
} from './webhooks.schemas.js';

export interface DeadLettersRoutesDeps {
  deadLetters: DeadLetterService;
}

const tags = ['webhooks'];
// Outside /api/sessions/:id: each route checks the webhook's session itself (webhookAccess).
const resource = { sessionAccess: 'resource' } as const;
const denied = { 403: errorResponse, 404: errorResponse };

/** /api/webhooks/:webhookId/dead-letters: deliveries that exhausted their retries. */
export function deadLettersRoutes(deps: DeadLettersRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const { deadLetters } = deps;

    routes.get(
      '/api/webhooks/:webhookId/dead-letters',
      {
        config: resource,
        schema: {
          tags,
          summary: "The webhook's dead letters, newest first, with their event envelopes",
          params: webhookParams,
          querystring: listDeadLettersQuery,
          response: { 200: listDeadLettersResponse, ...denied },
        },
      },
      async (request) => deadLetters.list(request.params.webhookId, request.query, webhookAccess(request)),
    );

    routes.post(
      '/api/webhooks/:webhookId/dead-letters/replay',
      {
        config: resource,
        schema: {
          tags,
          summary: 'Queue every `dead` dead letter of the webhook for delivery again',
          params: webhookParams,
          response: { 202: replayResponse, ...denied, 409: errorResponse, 503: errorResponse },
        },
      },
      async (request, reply) => {
        const result = await deadLetters.replay(request.params.webhookId, undefined, webhookAccess(request));
        return reply.code(202).send(result);
      },
    );

    routes.post(
      '/api/webhooks/:webhookId/dead-letters/:deadLetterId/replay',
      {
        config: resource,
        schema: {
          tags,
          summary: 'Queue one dead letter for delivery again (409 while it is already replaying)',
          params: deadLetterParams,
          response: { 202: replayResponse, ...denied, 409: errorResponse, 503: errorResponse },
        },
      },
      async (request, reply) => {
        const { webhookId, deadLetterId } = request.params;
        const result = await deadLetters.replay(webhookId, deadLetterId, webhookAccess(request));
        return reply.code(202).send(result);
      },
    );

    routes.delete(
      '/api/webhooks/:webhookId/dead-letters/:deadLetterId',
      {
        config: resource,
        schema: {
          tags,
          summary: 'Discard one dead letter',
          params: deadLetterParams,
          response: { 204: z.null().describe('discarded; no body'), ...denied },
        },
      },
      async (request, reply) => {
        const { webhookId, deadLetterId } = request.params;
        await deadLetters.discard(webhookId, deadLetterId, webhookAccess(request));
        return reply.code(204).send(null);
      },
    );

    routes.delete(
      '/api/webhooks/:webhookId/dead-letters',
      {
        config: resource,
        schema: {
          tags,
          summary: 'Discard every dead letter of the webhook',
          params: webhookParams,
          response: { 200: discardResponse, ...denied },
        },
      },
      async (request) => ({
        discarded: await deadLetters.discard(request.params.webhookId, undefined, webhookAccess(request)),
      }),
    );
  };
}
