import type { SessionRpcHandlers } from '@wagw/queue';
import type { WASocket } from '@whiskeysockets/baileys';
import { createGroupMethods, type GroupMetadataSink } from '../groups/group-methods.js';
import type { ContactCheck } from './contact-check.js';
import { queryFailure, queryStatus } from './query-errors.js';

/** The session an RPC runs on: resolved by the worker from its owned sessions (worker.ts). */
export interface RpcSession {
  sessionId: string;
  sock: WASocket;
}

/** IQ error codes that mean "no picture for you" rather than a failure: not found, not allowed. */
const NO_PICTURE = new Set([401, 403, 404]);

/**
 * The worker's implementation of every session RPC method (packages/queue session-rpc-methods.ts);
 * the type makes a method without an implementation a compile error.
 */
export function createSessionMethods(deps: {
  contactCheck: ContactCheck;
  /** PROFILE_PICTURE_TIMEOUT. */
  pictureTimeoutMs: number;
  /** Where group metadata fetched by the group methods is kept. */
  groups: GroupMetadataSink;
}): SessionRpcHandlers<RpcSession> {
  return {
    ...createGroupMethods(deps.groups),

    'contacts.check': async ({ phones }, { session, signal }) => ({
      results: await deps.contactCheck(session.sessionId, session.sock, phones, signal),
    }),

    'contacts.picture': async ({ jid, type }, { session }) => {
      try {
        return { url: (await session.sock.profilePictureUrl(jid, type, deps.pictureTimeoutMs)) ?? null };
      } catch (err) {
        const status = queryStatus(err);
        if (status !== undefined && NO_PICTURE.has(status)) return { url: null };
        throw queryFailure(err, 'picture query');
      }
    },
  };
}
