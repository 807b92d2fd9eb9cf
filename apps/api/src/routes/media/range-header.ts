/**
 * The part of HTTP conditional and range requests (RFC 9110 sections 13 and 14) that media downloads
 * use: one byte range, `If-None-Match` and `If-Range` against a strong entity tag.
 */

/** What a `Range` header asks for, once parsed: one range, a suffix ("the last n bytes"), or nothing. */
export type RangeRequest =
  | { kind: 'none' }
  | { kind: 'range'; start: number; end?: number }
  | { kind: 'suffix'; length: number };

const NONE: RangeRequest = { kind: 'none' };

/**
 * Parses `Range: bytes=a-b`, `bytes=a-` and `bytes=-n`. Anything else yields `none` and the whole
 * object is served, as RFC 9110 allows a server to ignore a Range it does not support: other units,
 * malformed or inverted values, and several ranges (a multipart/byteranges answer would cost more than sending
 * the file, and media players ask for one range at a time).
 */
export function parseRangeHeader(header: string | undefined): RangeRequest {
  if (header === undefined) return NONE;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return NONE;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return NONE;
  if (first === '') {
    const length = Number(last);
    return Number.isSafeInteger(length) ? { kind: 'suffix', length } : NONE;
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start)) return NONE;
  if (last === '') return { kind: 'range', start };
  const end = Number(last);
  // An end before the start makes the header invalid, which is ignored like any other.
  if (end < start) return NONE;
  // A huge end is clamped by the store like any end past the last byte.
  return { kind: 'range', start, end: Number.isSafeInteger(end) ? end : undefined };
}

/** Whether an `If-None-Match` header names `etag` (or is `*`): then the client's copy is current. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  // Weak comparison, as RFC 9110 prescribes for If-None-Match: W/"x" matches "x".
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/**
 * Whether a Range may be honoured under `If-Range`: absent, or naming this exact entity tag (strong
 * comparison). A date or another tag means the client's partial copy is stale: send it all.
 */
export function ifRangeAllows(header: string | undefined, etag: string): boolean {
  return header === undefined || header.trim() === etag;
}
