import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse, sessionIdParams } from '../../lib/http-schemas.js';
import type { PairingService } from './pairing.service.js';

export interface PairingRoutesDeps {
  pairing: PairingService;
}

// The phone's format is checked by the service so a bad number gets INVALID_PHONE, not a generic 400.
const pairingBody = z.object({ phone: z.string().max(32).describe('E.164 digits, e.g. +4915112345678') });
const codeResponse = z.object({ code: z.string().describe('enter on the phone: Linked devices > Link') });
const pendingResponse = z.object({ status: z.literal('pending') });

/** Pairing with a code instead of a QR (WhatsApp's "link with phone number"). */
export function pairingRoutes(deps: PairingRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.post(
      '/api/sessions/:id/pairing-code',
      {
        schema: {
          tags: ['sessions'],
          params: sessionIdParams,
          body: pairingBody,
          response: {
            200: codeResponse,
            202: pendingResponse.describe('requested; GET this URL again for the code'),
            400: errorResponse,
            404: errorResponse,
            409: errorResponse,
            503: errorResponse,
          },
        },
      },
      async (request, reply) => {
        const result = await deps.pairing.request(request.params.id, request.body.phone, request.id);
        if ('code' in result) return reply.code(200).send(result);
        return reply.code(202).send(result);
      },
    );

    routes.get(
      '/api/sessions/:id/pairing-code',
      {
        schema: {
          tags: ['sessions'],
          params: sessionIdParams,
          response: { 200: codeResponse, 404: errorResponse, 503: errorResponse },
        },
      },
      async (request) => ({ code: await deps.pairing.current(request.params.id) }),
    );
  };
}
