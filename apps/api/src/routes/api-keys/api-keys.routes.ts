import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../lib/http-schemas.js';
import { assertAdmin } from '../../plugins/auth.js';
import {
  apiKeyIdParams,
  createApiKeyBody,
  createdApiKey,
  listApiKeysQuery,
  listApiKeysResponse,
} from './api-keys.schemas.js';
import { type ApiKeyService, toApiKeyView } from './api-keys.service.js';

export interface ApiKeysRoutesDeps {
  apiKeys: ApiKeyService;
}

const tags = ['api-keys'];
const denied = { 401: errorResponse, 403: errorResponse };

/** /api/keys: admin only (the auth hook refuses session keys here; assertAdmin says so explicitly). */
export function apiKeysRoutes(deps: ApiKeysRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    routes.addHook('onRequest', async (request) => assertAdmin(request));

    routes.post(
      '/api/keys',
      {
        schema: {
          tags,
          body: createApiKeyBody,
          response: { 201: createdApiKey, 400: errorResponse, ...denied, 404: errorResponse },
        },
      },
      async (request, reply) => reply.code(201).send(await deps.apiKeys.create(request.body)),
    );

    routes.get(
      '/api/keys',
      { schema: { tags, querystring: listApiKeysQuery, response: { 200: listApiKeysResponse, ...denied } } },
      async (request) => ({ items: (await deps.apiKeys.list(request.query.sessionId)).map(toApiKeyView) }),
    );

    routes.delete(
      '/api/keys/:id',
      {
        schema: {
          tags,
          params: apiKeyIdParams,
          response: { 204: z.null().describe('revoked; no body'), ...denied, 404: errorResponse },
        },
      },
      async (request, reply) => {
        await deps.apiKeys.revoke(request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
