import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures per Standard Webhooks (https://www.standardwebhooks.com), so receivers can use
 * that project's libraries in any language instead of code written for wagw:
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<raw body>")>`.
 */

export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
  event: 'x-wagw-event',
  session: 'x-wagw-session-id',
  attempt: 'x-wagw-attempt',
} as const;

const SECRET_PREFIX = 'whsec_';

/**
 * Headers a user may not set on a webhook: ones that would corrupt the HTTP framing or routing
 * (host, content-length, ...) and the ones that carry our signature and metadata, which receivers
 * must be able to trust.
 */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);
const RESERVED_PREFIXES = ['proxy-', 'webhook-', 'x-wagw-'];

export function isReservedHeaderName(name: string): boolean {
  const lower = name.trim().toLowerCase();
  return RESERVED_HEADERS.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** `whsec_` + base64 of 32 random bytes: the secret format Standard Webhooks libraries expect. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]{16,256}$/;

/**
 * A user-supplied secret: `whsec_<base64 of 24..64 bytes>`, or any other string of 16..256
 * printable ASCII characters (then the HMAC key is its UTF-8 bytes, for receivers that already have
 * a shared secret). A `whsec_` value that is not such base64 is refused rather than used as text:
 * Standard Webhooks libraries would decode it and never agree with us.
 */
export function isValidWebhookSecret(secret: string): boolean {
  if (secret.startsWith(SECRET_PREFIX)) {
    const encoded = secret.slice(SECRET_PREFIX.length);
    if (encoded === '' || !STRICT_BASE64.test(encoded)) return false;
    const length = Buffer.from(encoded, 'base64').length;
    return length >= 24 && length <= 64;
  }
  return PRINTABLE_ASCII.test(secret);
}

function keyOf(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX)
    ? Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

function hmac(secret: string, msgId: string, timestampSeconds: number, body: string): Buffer {
  return createHmac('sha256', keyOf(secret)).update(`${msgId}.${timestampSeconds}.${body}`).digest();
}

/** `v1,<base64>` for one message; `body` must be the exact bytes sent. */
export function signWebhook(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  return `v1,${hmac(secret, msgId, timestampSeconds, body).toString('base64')}`;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

/**
 * Verifies a delivery as a receiver would (used by tests and by anyone receiving from wagw in
 * Node). Several signatures may be listed, space-separated (during secret rotation); one match is
 * enough. A timestamp further than `toleranceSeconds` from now is refused: it stops a captured
 * delivery from being replayed later.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  opts: { toleranceSeconds?: number; nowSeconds?: number } = {},
): boolean {
  const msgId = header(headers, WEBHOOK_HEADERS.id);
  const timestamp = header(headers, WEBHOOK_HEADERS.timestamp);
  const signatures = header(headers, WEBHOOK_HEADERS.signature);
  if (!msgId || !timestamp || !signatures || !/^\d{1,15}$/.test(timestamp.trim())) return false;
  const seconds = Number(timestamp.trim());
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - seconds) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = hmac(secret, msgId, seconds, body);
  let matched = false;
  for (const candidate of signatures.split(' ')) {
    const [version, encoded] = candidate.split(',', 2);
    if (version !== 'v1' || !encoded) continue;
    const given = Buffer.from(encoded, 'base64');
    // timingSafeEqual needs equal lengths; a length mismatch reveals nothing secret.
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}

/**
 * The headers wagw adds to one delivery. `webhook-id` is the event id, so it is the same on every
 * retry and receivers can deduplicate on it; the timestamp is fresh per attempt, so a retry hours
 * later still passes the receiver's tolerance check. Without a secret nothing is signed.
 */
export function deliveryHeaders(input: {
  secret: string | null;
  eventId: string;
  event: string;
  sessionId: string | null;
  attempt: number;
  body: string;
  nowSeconds?: number;
}): Record<string, string> {
  const timestamp = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    [WEBHOOK_HEADERS.id]: input.eventId,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
  };
  if (input.secret !== null) {
    headers[WEBHOOK_HEADERS.signature] = signWebhook(input.secret, input.eventId, timestamp, input.body);
  }
  headers[WEBHOOK_HEADERS.event] = input.event;
  // Events that belong to no session (none today but possible) simply carry no session header.
  if (input.sessionId !== null) headers[WEBHOOK_HEADERS.session] = input.sessionId;
  headers[WEBHOOK_HEADERS.attempt] = String(input.attempt);
  return headers;
}
