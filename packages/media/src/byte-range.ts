import { MediaRangeError } from './errors.js';
import type { ByteRange } from './store-types.js';

/**
 * Checks a requested range against the object's size and clamps its end, as HTTP does
 * (RFC 9110 14.1.2: an end past the last byte means "to the end"). A start past the last byte,
 * an end before the start, or any range on an empty object cannot be served.
 */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  const { start, end } = range;
  const valid =
    Number.isSafeInteger(start) &&
    start >= 0 &&
    start < size &&
    (end === undefined || (Number.isSafeInteger(end) && end >= start));
  if (!valid) throw new MediaRangeError(size, start, end);
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}
