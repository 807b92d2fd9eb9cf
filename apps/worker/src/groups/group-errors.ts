import { SessionRpcError } from '@wagw/queue';
import { queryFailure, queryStatus } from '../contacts/query-errors.js';

/** IQ codes WhatsApp answers a join with when the code is unknown, revoked or expired. */
const INVALID_INVITE = new Set([400, 404, 406, 410]);

/**
 * A failed group IQ as the caller should see it. WhatsApp answers 404 for a group that does not
 * exist and 403 both for a group the account is not in and for a change that needs admin rights;
 * `member` tells which of those a 403 meant, when the caller checked (see runAdminOp).
 */
export function groupFailure(
  err: unknown,
  what: string,
  forbidden: 'not-found' | 'not-admin' = 'not-found',
): SessionRpcError {
  if (err instanceof SessionRpcError) return err;
  const status = queryStatus(err);
  if (status === 404) return new SessionRpcError('GROUP_NOT_FOUND', 'the session is not in this group');
  if (status === 403) {
    return forbidden === 'not-admin'
      ? new SessionRpcError('GROUP_NOT_ADMIN', `the ${what} needs admin rights in the group`)
      : new SessionRpcError('GROUP_NOT_FOUND', 'the session is not in this group');
  }
  return queryFailure(err, what);
}

/** A failed join by invite code: an unknown or stale code is the caller's, not WhatsApp's, fault. */
export function joinFailure(err: unknown): SessionRpcError {
  const status = queryStatus(err);
  if (status !== undefined && INVALID_INVITE.has(status)) {
    return new SessionRpcError('GROUP_INVITE_INVALID', 'the invite code is unknown, revoked or expired');
  }
  return groupFailure(err, 'join');
}
