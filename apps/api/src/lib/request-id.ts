import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * What an incoming `x-request-id` may look like to be kept: 1-128 characters of letters, digits and
 * `._:-` (UUIDs, ULIDs, trace ids). Anything else (spaces, newlines, markup, a 1000-character
 * value) is replaced: the id is echoed in a header, written to every log line and sent back in
 * error bodies, so a client must not choose what lands there beyond a plain token.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId: the caller's `x-request-id` when it is a safe token, a fresh UUID otherwise. */
export function requestIdFor(req: IncomingMessage): string {
  const presented = req.headers['x-request-id'];
  return typeof presented === 'string' && SAFE_REQUEST_ID.test(presented) ? presented : randomUUID();
}
