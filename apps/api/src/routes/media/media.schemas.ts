import { z } from 'zod';

/**
 * `:id` of /api/media/:id. Any string up to a bound: a malformed id names no media and is answered
 * 404 MEDIA_NOT_FOUND by the store (which refuses it before it reaches a path or key), not a 400.
 */
export const mediaIdParams = z.object({ id: z.string().min(1).max(128) });

/** The query of a signed link; both absent when the caller uses an API key. */
export const mediaLinkQuery = z.object({
  expires: z
    .string()
    .optional()
    .describe('signed links: Unix time in seconds after which the link is refused'),
  signature: z.string().optional().describe('signed links: base64url HMAC-SHA256 of the id and `expires`'),
});

export const storedMediaResponse = z.object({
  id: z.string().describe('the content address: lowercase hex SHA-256 of the bytes'),
  sha256: z.string(),
  size: z.number().describe('bytes'),
  mimetype: z.string().describe('sniffed from the bytes; application/octet-stream when unknown'),
  url: z
    .string()
    .describe(
      '`/api/media/<id>?expires=…&signature=…`: a signed link that reads this file without an API key',
    ),
  urlExpiresAt: z.string().describe('when `url` stops working (MEDIA_URL_TTL after the upload)'),
});
