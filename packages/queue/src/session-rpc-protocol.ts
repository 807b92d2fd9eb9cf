import { z } from 'zod';

/**
 * The wire format of the session RPC (see session-rpc-client.ts for the whole exchange). Requests
 * travel in the owning worker's request list, replies in the asking replica's reply list; both are
 * JSON parsed with these schemas, so a malformed entry is dropped and logged, never half-read.
 */

export const rpcRequestEnvelope = z.object({
  id: z.string().min(1),
  sessionId: z.string().min(1),
  /** The lease generation the caller saw: the worker runs the request only while it holds exactly it. */
  generation: z.number().int().positive(),
  method: z.string().min(1),
  params: z.unknown(),
  /** The replica id whose reply list gets the answer. */
  replyTo: z.string().min(1),
});
export type RpcRequestEnvelope = z.infer<typeof rpcRequestEnvelope>;

/**
 * Why a call failed, as both sides name it. All but `NOT_OWNER` and `INVALID_PARAMS` are also
 * error codes of @wagw/errors, which is what the API answers with.
 * - `NOT_OWNER`: the worker does not hold the session at the generation asked for (it moved);
 * - `SESSION_NOT_OPEN`: it does, but the socket is not open (connecting, waiting for a QR, closed);
 * - `INVALID_PARAMS`: the params do not match the method's schema (a bug or a version mismatch).
 */
const RPC_ERROR_CODES = [
  'NOT_OWNER',
  'SESSION_NOT_OPEN',
  'SESSION_OWNER_TIMEOUT',
  'SESSION_METHOD_UNSUPPORTED',
  'INVALID_PARAMS',
  'WHATSAPP_QUERY_FAILED',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
  'QUEUE_UNAVAILABLE',
  // Group operations (session-rpc-group-methods.ts): WhatsApp's 404/403 answers, named.
  'GROUP_NOT_FOUND',
  'GROUP_NOT_ADMIN',
  'GROUP_INVITE_INVALID',
] as const;
export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number];

export const rpcReplyEnvelope = z.union([
  z.object({ id: z.string(), ok: z.literal(true), result: z.unknown() }),
  z.object({
    id: z.string(),
    ok: z.literal(false),
    error: z.object({
      code: z.enum(RPC_ERROR_CODES),
      message: z.string(),
      /** Seconds until a retry may succeed (RATE_LIMITED). */
      retryAfter: z.number().optional(),
    }),
  }),
]);
export type RpcReplyEnvelope = z.infer<typeof rpcReplyEnvelope>;

/** A failed call, thrown by the client and by method handlers on the worker (which reply with it). */
export class SessionRpcError extends Error {
  override name = 'SessionRpcError';
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/**
 * The claim key lives this much longer than the caller waits, so that when the caller gives up, its
 * DEL of the key (not the key's expiry) decides whether a worker took the request in time.
 */
export const CLAIM_GRACE_MS = 1000;

/**
 * Claims a request: its pending key exists until the caller's deadline plus CLAIM_GRACE_MS (PX), so
 * a request found after the deadline, claimed already, or abandoned by a caller that gave up, is
 * refused. DEL makes the claim single: of any number of pops of the same request (a retried LPUSH),
 * one runs it. Returns the milliseconds left to the caller's deadline, or <= 0: drop the request.
 */
export const CLAIM_REQUEST = `
local ttl = redis.call('PTTL', KEYS[1])
local left = ttl - tonumber(ARGV[1])
if ttl <= 0 or left <= 0 then return 0 end
redis.call('DEL', KEYS[1])
return left`;

/** How long a reply (and a list of requests) outlives its deadline; enough for a reader that reconnects. */
export const RPC_LIST_TTL_MS = 60_000;
