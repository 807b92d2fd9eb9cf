import { z } from 'zod';

/**
 * Schemas every route area shares. They live here rather than in one area's `*.schemas.ts` so that
 * no route depends on another route's folder for them.
 */

/** The error envelope of plugins/error-handler.ts, declared so OpenAPI documents it. */
export const errorResponse = z.object({
  statusCode: z.number(),
  code: z.string(),
  message: z.string(),
  requestId: z.string(),
  details: z.unknown().optional(),
});

/** `:id` of every `/api/sessions/:id/...` route (sessions, pairing, QR, messages, batches, webhooks). */
export const sessionIdParams = z.object({ id: z.string().min(1).max(128) });
