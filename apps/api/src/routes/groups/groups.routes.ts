import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponse, sessionIdParams } from '../../lib/http-schemas.js';
import { sessionSocketErrors } from '../../lib/session-rpc-errors.js';
import {
  createGroupBody,
  getGroupQuery,
  groupParams,
  groupResponse,
  inviteResponse,
  joinBody,
  joinResponse,
  leaveResponse,
  listGroupsResponse,
  participantsBody,
  participantsResponse,
  updateGroupBody,
} from './groups.schemas.js';
import type { GroupsService } from './groups.service.js';

export interface GroupsRoutesDeps {
  groups: GroupsService;
}

const tags = ['groups'];
/** The session-socket answers, with what a group route adds (see docs/groups.md). */
const socketErrors = {
  ...sessionSocketErrors,
  400: errorResponse,
  403: errorResponse.describe('GROUP_NOT_ADMIN: the change needs admin rights in the group'),
  404: errorResponse.describe('SESSION_NOT_FOUND, GROUP_NOT_FOUND (the session is not in the group)'),
};

/** Groups of a session (session routes: auth by :id); see docs/groups.md. */
export function groupsRoutes(deps: GroupsRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const { groups } = deps;

    routes.get(
      '/api/sessions/:id/groups',
      {
        schema: {
          tags,
          summary: 'The groups the session is in (stored copy; ?refresh=true asks WhatsApp)',
          params: sessionIdParams,
          querystring: getGroupQuery,
          response: { 200: listGroupsResponse, ...socketErrors },
        },
      },
      async (request) => ({ items: await groups.list(request.params.id, request.query.refresh) }),
    );

    routes.post(
      '/api/sessions/:id/groups',
      {
        schema: {
          tags,
          summary: 'Create a group with a subject and participants',
          params: sessionIdParams,
          body: createGroupBody,
          response: { 201: groupResponse, ...socketErrors },
        },
      },
      async (request, reply) => {
        const group = await groups.create(request.params.id, request.body.subject, request.body.participants);
        return reply.code(201).send({ group });
      },
    );

    routes.post(
      '/api/sessions/:id/groups/join',
      {
        schema: {
          tags,
          summary: 'Join a group by invite code or chat.whatsapp.com link',
          params: sessionIdParams,
          body: joinBody,
          response: { 200: joinResponse, ...socketErrors },
        },
      },
      async (request) => groups.join(request.params.id, request.body.code),
    );

    routes.get(
      '/api/sessions/:id/groups/:groupId',
      {
        schema: {
          tags,
          summary: 'One group with its participants (stored copy; ?refresh=true asks WhatsApp)',
          params: groupParams,
          querystring: getGroupQuery,
          response: { 200: groupResponse, ...socketErrors },
        },
      },
      async (request) => ({
        group: await groups.get(request.params.id, request.params.groupId, request.query.refresh),
      }),
    );

    routes.patch(
      '/api/sessions/:id/groups/:groupId',
      {
        schema: {
          tags,
          summary: 'Change subject, description or settings (admin)',
          params: groupParams,
          body: updateGroupBody,
          response: { 200: groupResponse, ...socketErrors },
        },
      },
      async (request) => ({
        group: await groups.update(request.params.id, request.params.groupId, request.body),
      }),
    );

    routes.post(
      '/api/sessions/:id/groups/:groupId/participants',
      {
        schema: {
          tags,
          summary: 'Add, remove, promote or demote participants (admin); a result per participant',
          params: groupParams,
          body: participantsBody,
          response: { 200: participantsResponse, ...socketErrors },
        },
      },
      async (request) => groups.participants(request.params.id, request.params.groupId, request.body),
    );

    routes.get(
      '/api/sessions/:id/groups/:groupId/invite',
      {
        schema: {
          tags,
          summary: "The group's invite code and link (admin)",
          params: groupParams,
          response: { 200: inviteResponse, ...socketErrors },
        },
      },
      async (request) => groups.invite(request.params.id, request.params.groupId, false),
    );

    routes.post(
      '/api/sessions/:id/groups/:groupId/invite',
      {
        schema: {
          tags,
          summary: 'Revoke the invite code; answers the new one (admin)',
          params: groupParams,
          response: { 200: inviteResponse, ...socketErrors },
        },
      },
      async (request) => groups.invite(request.params.id, request.params.groupId, true),
    );

    routes.post(
      '/api/sessions/:id/groups/:groupId/leave',
      {
        schema: {
          tags,
          summary: 'Leave the group',
          params: groupParams,
          response: { 200: leaveResponse, ...socketErrors },
        },
      },
      async (request) => groups.leave(request.params.id, request.params.groupId),
    );
  };
}
