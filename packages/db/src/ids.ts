import { randomBytes } from 'node:crypto';

// Crockford base32 (no I, L, O, U): ids stay case-insensitive and URL-safe.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 16; // 80 bits

let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function freshRandom(): number[] {
  return Array.from(randomBytes(RANDOM_CHARS), (byte) => byte % 32);
}

/** Adds one to the base32 digits in place; overflow (2^80 ids in one ms) cannot happen in practice. */
function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    const digit = next[i]!;
    if (digit < 31) {
      next[i] = digit + 1;
      return next;
    }
    next[i] = 0;
  }
  return freshRandom();
}

/**
 * New row id: a 26-character monotonic ULID (48-bit ms timestamp + 80 random bits).
 * Chosen over `crypto.randomUUID()` because ids sort by creation time: paging uses the id as
 * the cursor, and a bulk insert of 10,000 rows in one millisecond still gets strictly increasing
 * ids within this process (the random part is incremented, as the monotonic mode of
 * https://github.com/ulid/spec does).
 * Across processes, ids created in the same millisecond are unique but unordered.
 */
export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = freshRandom();
  }
  return encodeTime(lastTime) + lastRandom.map((d) => ALPHABET[d]).join('');
}
