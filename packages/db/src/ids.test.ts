import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId', () => {
  it('is a 26-char Crockford base32 ULID', () => {
    expect(newId()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('is strictly increasing within a millisecond and across time', () => {
    const ids = Array.from({ length: 10_000 }, () => newId(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(newId(1_700_000_000_001) > ids.at(-1)!).toBe(true);
  });

  it('encodes the timestamp in the first 10 chars', () => {
    // 2^45 ms = 1 followed by nine base32 zeros.
    expect(newId(2 ** 45).slice(0, 10)).toBe('1000000000');
  });

  it('stays monotonic when the clock goes backwards', () => {
    const a = newId(2 ** 45 + 10);
    expect(newId(1_000) > a).toBe(true);
  });
});
