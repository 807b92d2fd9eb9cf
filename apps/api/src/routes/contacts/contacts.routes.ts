import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponse, sessionIdParams } from '../../lib/http-schemas.js';
import { sessionSocketErrors as socketErrors } from '../../lib/session-rpc-errors.js';
import {
  checkContactsBody,
  checkContactsResponse,
  contactParams,
  listContactsQuery,
  listContactsResponse,
  pictureQuery,
  pictureResponse,
} from './contacts.schemas.js';
import type { ContactsService } from './contacts.service.js';

export interface ContactsRoutesDeps {
  contacts: ContactsService;
}

const tags = ['contacts'];

/** Contacts of a session: stored ones, number checks and profile pictures (session routes: auth by :id). */
export function contactsRoutes(deps: ContactsRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.post(
      '/api/sessions/:id/contacts/check',
      {
        schema: {
          tags,
          summary: 'Which numbers are on WhatsApp (cached per session, paced)',
          params: sessionIdParams,
          body: checkContactsBody,
          response: { 200: checkContactsResponse, 400: errorResponse, ...socketErrors },
        },
      },
      async (request) => ({ results: await deps.contacts.check(request.params.id, request.body.numbers) }),
    );

    routes.get(
      '/api/sessions/:id/contacts',
      {
        schema: {
          tags,
          summary: 'The contacts the session knows, by jid, a page at a time',
          params: sessionIdParams,
          querystring: listContactsQuery,
          response: { 200: listContactsResponse, 404: errorResponse, 503: errorResponse },
        },
      },
      async (request) => deps.contacts.list(request.params.id, request.query),
    );

    routes.get(
      '/api/sessions/:id/contacts/:contactId/picture',
      {
        schema: {
          tags,
          summary: "A contact's profile picture URL, asked on the session's socket",
          params: contactParams,
          querystring: pictureQuery,
          response: { 200: pictureResponse, 400: errorResponse, ...socketErrors },
        },
      },
      async (request) =>
        deps.contacts.picture(request.params.id, request.params.contactId, request.query.type),
    );
  };
}
