import type { Logger } from '@wagw/logger';
import { type RedisConnection, SessionRpcError, startSessionRpcServer } from '@wagw/queue';
import { createContactCheck } from '../contacts/contact-check.js';
import { createContactCheckBudget } from '../contacts/contact-check-budget.js';
import { createSessionMethods, type RpcSession } from '../contacts/session-methods.js';
import type { GroupMetadataSink } from '../groups/group-methods.js';
import type { SessionManager } from './session-manager.js';

export interface SessionRpcHostDeps {
  workerId: string;
  logger: Logger;
  /** Dedicated consumer connection: it blocks in BLPOP on this worker's request list. */
  connection: RedisConnection;
  /** Fail-fast connection: claims, replies, the contacts-check cache and budget. */
  redis: RedisConnection;
  prefix: string;
  manager: Pick<SessionManager, 'owned'>;
  /** CONTACT_CHECK_TTL and CONTACT_CHECK_PER_HOUR. */
  contactCheck: { ttlMs: number; perHour: number };
  /** PROFILE_PICTURE_TIMEOUT. */
  pictureTimeoutMs: number;
  /** The stored group metadata the group methods keep current. */
  groups: GroupMetadataSink;
}

/**
 * This worker's end of the session RPC: requests for sessions it holds at the caller's generation,
 * run on their open socket. A session held at another generation (or not here) answers NOT_OWNER,
 * so the caller follows the lease; one held but not open answers SESSION_NOT_OPEN.
 */
export function startSessionRpcHost(deps: SessionRpcHostDeps) {
  const contactCheck = createContactCheck({
    redis: deps.redis,
    prefix: deps.prefix,
    ttlMs: deps.contactCheck.ttlMs,
    budget: createContactCheckBudget({
      redis: deps.redis,
      prefix: deps.prefix,
      perHour: deps.contactCheck.perHour,
    }),
    logger: deps.logger,
  });
  return startSessionRpcServer<RpcSession>({
    connection: deps.connection,
    redis: deps.redis,
    prefix: deps.prefix,
    workerId: deps.workerId,
    logger: deps.logger,
    handlers: createSessionMethods({
      contactCheck,
      pictureTimeoutMs: deps.pictureTimeoutMs,
      groups: deps.groups,
    }),
    resolveSession(sessionId, generation) {
      const entry = deps.manager.owned.get(sessionId);
      if (!entry || entry.lease.generation !== generation || !entry.clock.isValid()) {
        throw new SessionRpcError('NOT_OWNER', `worker ${deps.workerId} does not hold session ${sessionId}`);
      }
      const sock = entry.runner.openSocket();
      if (!sock)
        throw new SessionRpcError('SESSION_NOT_OPEN', `session ${sessionId} is not connected to WhatsApp`);
      return { sessionId, sock };
    },
  });
}
