import type { MediaLinkSettings } from '@wagw/media';
import { chatView } from '@wagw/queue';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponse, sessionIdParams } from '../../lib/http-schemas.js';
import { toMessageView } from '../messages/message-view.js';
import {
  chatMessagesQuery,
  chatMessagesResponse,
  chatParams,
  listChatsQuery,
  listChatsResponse,
} from './chats.schemas.js';
import type { ChatsService } from './chats.service.js';

export interface ChatsRoutesDeps {
  chats: ChatsService;
  /** Signed links of media messages, as GET /api/sessions/:id/messages gives them. */
  mediaLinks: MediaLinkSettings | undefined;
}

const tags = ['chats'];

/** The chat list of a session and each chat's messages (session routes: auth by :id); docs/chats.md. */
export function chatsRoutes(deps: ChatsRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const { chats, mediaLinks } = deps;

    routes.get(
      '/api/sessions/:id/chats',
      {
        schema: {
          tags,
          summary: "The session's chats, most recent activity first, a page at a time",
          params: sessionIdParams,
          querystring: listChatsQuery,
          response: { 200: listChatsResponse, 400: errorResponse, 404: errorResponse },
        },
      },
      async (request) => chats.list(request.params.id, request.query),
    );

    routes.get(
      '/api/sessions/:id/chats/:chatId',
      {
        schema: {
          tags,
          summary: 'One chat, by phone number, JID, LID or group id',
          params: chatParams,
          response: { 200: chatView, 400: errorResponse, 404: errorResponse },
        },
      },
      async (request) => chats.get(request.params.id, request.params.chatId),
    );

    routes.get(
      '/api/sessions/:id/chats/:chatId/messages',
      {
        schema: {
          tags,
          summary: "A chat's stored messages, both directions, newest first",
          params: chatParams,
          querystring: chatMessagesQuery,
          response: { 200: chatMessagesResponse, 400: errorResponse, 404: errorResponse },
        },
      },
      async (request) => {
        const page = await chats.messages(request.params.id, request.params.chatId, request.query);
        return {
          items: page.items.map((item) => toMessageView(item, mediaLinks)),
          nextCursor: page.nextCursor,
        };
      },
    );
  };
}
