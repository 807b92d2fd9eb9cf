import { MediaNotFoundError } from './errors.js';

/**
 * The id of some content, from its SHA-256. Hex rather than base64url: ids become file names, and
 * base64url ids differing only in case would collide on case-insensitive filesystems (macOS).
 */
export function mediaIdFor(sha256Hex: string): string {
  return sha256Hex.toLowerCase();
}

const MEDIA_ID = /^[0-9a-f]{64}$/;

/** Refuses anything but a well-formed id before it reaches a path or an object key. */
export function assertMediaId(id: string): void {
  if (!MEDIA_ID.test(id)) throw new MediaNotFoundError(id);
}

/** The strong entity tag of an object: both backends derive it from the content, not the storage. */
export function etagFor(sha256Hex: string): string {
  return `"${sha256Hex}"`;
}
