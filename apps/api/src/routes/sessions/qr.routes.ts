import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse, sessionIdParams } from '../../lib/http-schemas.js';
import { negotiateQrFormat, QR_FORMATS, type QrService, renderPng, renderSvg } from './qr.service.js';

export interface QrRoutesDeps {
  qr: QrService;
}

const qrQuery = z.object({ format: z.enum(QR_FORMATS).optional() });
const qrJson = z.object({
  qr: z.string().describe('the raw QR payload, to render client-side'),
  expiresInMs: z.number().describe('how long this QR stays valid; fetch again after'),
});

/** GET /api/sessions/:id/qr as JSON (default), PNG, SVG or the raw string. */
export function qrRoutes(deps: QrRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/api/sessions/:id/qr',
      {
        schema: {
          tags: ['sessions'],
          params: sessionIdParams,
          querystring: qrQuery,
          response: {
            200: {
              description: 'the current QR',
              content: {
                'application/json': { schema: qrJson },
                'image/png': { schema: z.instanceof(Buffer).describe('PNG image') },
                'image/svg+xml': { schema: z.string().describe('SVG image') },
                'text/plain': { schema: z.string().describe('the raw QR payload') },
              },
            },
            404: errorResponse,
            503: errorResponse,
          },
        },
      },
      async (request, reply) => {
        const format = negotiateQrFormat(request.query.format, request.headers.accept);
        const { qr, expiresInMs } = await deps.qr.current(request.params.id);
        // A QR rotates within seconds: nothing between us and the client may cache it.
        void reply.header('cache-control', 'no-store');
        if (format === 'png') return reply.type('image/png').send(await renderPng(qr));
        if (format === 'svg') return reply.type('image/svg+xml').send(await renderSvg(qr));
        if (format === 'raw') return reply.type('text/plain; charset=utf-8').send(qr);
        return reply.type('application/json; charset=utf-8').send({ qr, expiresInMs });
      },
    );
  };
}
