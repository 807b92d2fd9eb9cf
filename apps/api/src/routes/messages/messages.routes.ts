import type { MediaLinkSettings } from '@wagw/media';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponse, sessionIdParams } from '../../lib/http-schemas.js';
import { type IdempotencyOptions, withIdempotency } from '../../lib/idempotency.js';
import { assertSessionAccess } from '../../plugins/auth.js';
import type { MessageIntakeService } from './message-intake.service.js';
import { toMessageView } from './message-view.js';
import {
  acceptedJob,
  acceptedMessage,
  listMessagesQuery,
  listMessagesResponse,
  messageParams,
  messageView,
  presenceBody,
  readBody,
  sendMessageBody,
} from './messages.schemas.js';

export interface MessagesRoutesDeps {
  messages: MessageIntakeService;
  idempotency: IdempotencyOptions;
  /** How media links in message views are signed; absent (no media store): views carry no link. */
  mediaLinks: MediaLinkSettings | undefined;
  /** Body limit of a send, in bytes: BODY_LIMIT plus room for an inline base64 file (app.ts). */
  sendBodyLimit: number;
}

const tags = ['messages'];
const errors = {
  400: errorResponse,
  404: errorResponse,
  409: errorResponse,
  413: errorResponse,
  422: errorResponse,
  503: errorResponse,
};

export function messagesRoutes(deps: MessagesRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const { messages, mediaLinks } = deps;

    // Routes under /api/sessions/:id are checked against a session key's session by the auth hook.
    routes.post(
      '/api/sessions/:id/messages',
      {
        // Checked against Content-Length before the body is read: 413 PAYLOAD_TOO_LARGE.
        bodyLimit: deps.sendBodyLimit,
        schema: {
          tags,
          description:
            'Queues one message. `{ to, text }` is a text message; `type` picks another kind. Media (image, video, audio, voice, document, sticker) takes `media` as exactly one of `url`, `base64` or `id`: inline files over MEDIA_BASE64_MAX_BYTES are 413, files the kind cannot carry or that disagree with `mimetype` are 422 UNSUPPORTED_MEDIA, an unknown id is 404 MEDIA_NOT_FOUND.',
          params: sessionIdParams,
          body: sendMessageBody,
          response: { 202: acceptedMessage, ...errors },
        },
      },
      async (request, reply) =>
        withIdempotency(request, reply, deps.idempotency, async (claim) => {
          const { accepted, enqueueError } = await messages.send(request.params.id, request.body, claim);
          return { statusCode: 202, body: accepted, error: enqueueError, committed: claim !== undefined };
        }),
    );

    routes.post(
      '/api/sessions/:id/messages/read',
      {
        schema: { tags, params: sessionIdParams, body: readBody, response: { 202: acceptedJob, ...errors } },
      },
      async (request, reply) =>
        reply.code(202).send(await messages.markRead(request.params.id, request.body.messages)),
    );

    routes.post(
      '/api/sessions/:id/presence',
      {
        schema: {
          tags,
          params: sessionIdParams,
          body: presenceBody,
          response: { 202: acceptedJob, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await messages.presence(request.params.id, request.body)),
    );

    routes.get(
      '/api/sessions/:id/messages',
      {
        schema: {
          tags,
          params: sessionIdParams,
          querystring: listMessagesQuery,
          response: { 200: listMessagesResponse, 404: errorResponse },
        },
      },
      async (request) => {
        const page = await messages.list(request.params.id, request.query);
        return {
          items: page.items.map((item) => toMessageView(item, mediaLinks)),
          nextCursor: page.nextCursor,
        };
      },
    );

    routes.get(
      '/api/messages/:id',
      {
        // A session key may read its own session's messages: checked once the message is loaded.
        config: { sessionAccess: 'resource' },
        schema: {
          tags,
          params: messageParams,
          response: { 200: messageView, 403: errorResponse, 404: errorResponse },
        },
      },
      async (request) => {
        const message = await messages.get(request.params.id);
        assertSessionAccess(request, message.sessionId);
        return toMessageView(message, mediaLinks);
      },
    );
  };
}
