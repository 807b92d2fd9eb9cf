import { AppError, type ErrorCode } from '@wagw/errors';
import { type RpcErrorCode, SessionRpcError } from '@wagw/queue';
import { errorResponse } from './http-schemas.js';
import { REDIS_RETRY_AFTER_S } from './redis-guard.js';

/** How each session RPC failure is answered; the two the client never shows a caller are bugs (500). */
const ANSWER: Record<RpcErrorCode, ErrorCode> = {
  NOT_OWNER: 'SESSION_NOT_OPEN',
  SESSION_NOT_OPEN: 'SESSION_NOT_OPEN',
  SESSION_OWNER_TIMEOUT: 'SESSION_OWNER_TIMEOUT',
  SESSION_METHOD_UNSUPPORTED: 'SESSION_METHOD_UNSUPPORTED',
  INVALID_PARAMS: 'INTERNAL_ERROR',
  WHATSAPP_QUERY_FAILED: 'WHATSAPP_QUERY_FAILED',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  QUEUE_UNAVAILABLE: 'QUEUE_UNAVAILABLE',
  GROUP_NOT_FOUND: 'GROUP_NOT_FOUND',
  GROUP_NOT_ADMIN: 'GROUP_NOT_ADMIN',
  GROUP_INVITE_INVALID: 'GROUP_INVITE_INVALID',
};

/** Turns what a session RPC call threw into the API's error (anything else passes through). */
export function fromSessionRpcError(err: unknown): unknown {
  if (!(err instanceof SessionRpcError)) return err;
  const code = ANSWER[err.code];
  const retryAfter = err.code === 'QUEUE_UNAVAILABLE' ? REDIS_RETRY_AFTER_S : err.retryAfter;
  const message = code === 'INTERNAL_ERROR' ? 'the session worker could not run the request' : err.message;
  return new AppError(code, message, { cause: err, ...(retryAfter !== undefined ? { retryAfter } : {}) });
}

/** Answers of every route that runs on the session's socket (docs/contacts.md, docs/groups.md). */
export const sessionSocketErrors = {
  404: errorResponse,
  409: errorResponse.describe('SESSION_NOT_OPEN: no worker has the session connected'),
  429: errorResponse,
  501: errorResponse,
  502: errorResponse,
  503: errorResponse,
  504: errorResponse.describe('SESSION_OWNER_TIMEOUT: the session worker did not answer in time'),
};
