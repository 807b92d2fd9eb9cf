import { createHmac, timingSafeEqual } from 'node:crypto';

/** The query parameters of a signed media link. */
export interface MediaSignature {
  /** Unix time in seconds after which the link is refused. */
  expires: number;
  /** base64url HMAC-SHA256 over the media id and `expires`. */
  signature: string;
  /** `expires=<n>&signature=<sig>`, ready to append to `/api/media/<id>?`. */
  query: string;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'expired' | 'invalid' };

/**
 * Signs a link to one media object until `expiresAt`, so a webhook receiver can fetch the file
 * without an API key. Whoever holds the link can read that object (and only it) until it expires.
 */
export function signMediaUrl(id: string, options: { secret: string; expiresAt: Date }): MediaSignature {
  const expires = Math.floor(options.expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expires) || expires < 0)
    throw new RangeError('expiresAt must be a valid date after 1970');
  const signature = hmac(options.secret, id, expires).toString('base64url');
  return { expires, signature, query: `expires=${expires}&signature=${signature}` };
}

/**
 * Checks the `expires` and `signature` query values of a link to `id`. Values come straight from
 * the URL, so anything malformed is `invalid`; a well-signed link past its time is `expired`.
 * The signature is checked before the time, so an attacker learns nothing from the reason.
 */
export function verifyMediaSignature(
  id: string,
  query: { expires: string | undefined; signature: string | undefined },
  options: { secret: string; now?: Date },
): SignatureCheck {
  const { expires, signature } = query;
  if (!expires || !/^\d{1,15}$/.test(expires) || !signature) return { ok: false, reason: 'invalid' };
  const expected = hmac(options.secret, id, Number(expires));
  const given = Buffer.from(signature, 'base64url');
  // Re-encoding catches non-canonical spellings (padding, stray characters) that decode to the same bytes.
  const canonical = given.toString('base64url') === signature;
  if (!canonical || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'invalid' };
  }
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return now < Number(expires) ? { ok: true } : { ok: false, reason: 'expired' };
}

function hmac(secret: string, id: string, expires: number): Buffer {
  if (secret.length === 0) throw new RangeError('a media link secret must not be empty');
  // The prefix keeps these signatures apart from anything else signed with the same secret.
  return createHmac('sha256', secret).update(`wagw-media-link:v1:${id}:${expires}`).digest();
}

/** How links are made: MEDIA_URL_SECRET (or its derivation), MEDIA_URL_TTL and PUBLIC_URL. */
export interface MediaLinkSettings {
  secret: string;
  ttlMs: number;
  /** The gateway's public origin without a trailing slash; absent: the link is a path. */
  publicUrl?: string | undefined;
}

/**
 * A link to `GET /api/media/<id>` that works without an API key until it expires: what message
 * views, webhooks and SSE events carry. The API and the worker both make them, with the same
 * settings, so a link made by any process verifies on every API replica.
 */
export function signedMediaLink(
  id: string,
  settings: MediaLinkSettings,
  now: Date = new Date(),
): { url: string; urlExpiresAt: string } {
  const link = signMediaUrl(id, {
    secret: settings.secret,
    expiresAt: new Date(now.getTime() + settings.ttlMs),
  });
  // The signature has whole seconds; report the moment the link actually stops working.
  return {
    url: `${settings.publicUrl ?? ''}/api/media/${encodeURIComponent(id)}?${link.query}`,
    urlExpiresAt: new Date(link.expires * 1000).toISOString(),
  };
}
