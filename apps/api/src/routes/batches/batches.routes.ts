import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponse, sessionIdParams } from '../../lib/http-schemas.js';
import { type IdempotencyOptions, withIdempotency } from '../../lib/idempotency.js';
import { assertSessionAccess } from '../../plugins/auth.js';
import { acceptedBatch, batchParams, batchView, bulkBody, cancelledBatchView } from './batches.schemas.js';
import type { BatchService } from './batches.service.js';

export interface BatchesRoutesDeps {
  batches: BatchService;
  idempotency: IdempotencyOptions;
  /** Body limit of a bulk send, in bytes (BULK_BODY_LIMIT): larger than BODY_LIMIT, for 10,000 messages. */
  bodyLimit: number;
}

const tags = ['messages'];

export function batchesRoutes(deps: BatchesRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const { batches } = deps;

    routes.post(
      '/api/sessions/:id/messages/bulk',
      {
        bodyLimit: deps.bodyLimit,
        schema: {
          tags,
          params: sessionIdParams,
          body: bulkBody,
          response: {
            202: acceptedBatch,
            400: errorResponse,
            404: errorResponse,
            409: errorResponse,
            413: errorResponse,
            422: errorResponse,
            503: errorResponse,
          },
        },
      },
      async (request, reply) =>
        withIdempotency(request, reply, deps.idempotency, async (claim) => {
          const { accepted, enqueueError } = await batches.send(
            request.params.id,
            request.body.messages,
            claim,
          );
          return { statusCode: 202, body: accepted, error: enqueueError, committed: claim !== undefined };
        }),
    );

    routes.get(
      '/api/batches/:id',
      {
        config: { sessionAccess: 'resource' },
        schema: {
          tags,
          params: batchParams,
          response: { 200: batchView, 403: errorResponse, 404: errorResponse },
        },
      },
      async (request) => {
        const batch = await batches.get(request.params.id);
        assertSessionAccess(request, batch.sessionId);
        return batch;
      },
    );

    routes.post(
      '/api/batches/:id/cancel',
      {
        config: { sessionAccess: 'resource' },
        schema: {
          tags,
          params: batchParams,
          response: { 200: cancelledBatchView, 403: errorResponse, 404: errorResponse },
        },
      },
      async (request) =>
        batches.cancel(request.params.id, (sessionId) => assertSessionAccess(request, sessionId)),
    );
  };
}
