import { describe, expect, it } from 'vitest';
import { signMediaUrl, verifyMediaSignature } from './index.js';

const id = 'a'.repeat(64);
const secret = 'media-link-secret';
const expiresAt = new Date('2030-01-01T00:00:00Z');
const before = new Date('2029-12-31T23:59:59Z');

describe('signed media links', () => {
  it('signs id and expiry into a base64url HMAC that verifies until it expires', () => {
    const link = signMediaUrl(id, { secret, expiresAt });
    expect(link.expires).toBe(expiresAt.getTime() / 1000);
    expect(link.signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link.query).toBe(`expires=${link.expires}&signature=${link.signature}`);
    const query = { expires: String(link.expires), signature: link.signature };
    expect(verifyMediaSignature(id, query, { secret, now: before })).toEqual({ ok: true });
    expect(verifyMediaSignature(id, query, { secret, now: expiresAt })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('is deterministic for the same inputs and differs for any other', () => {
    const a = signMediaUrl(id, { secret, expiresAt });
    expect(signMediaUrl(id, { secret, expiresAt }).signature).toBe(a.signature);
    expect(signMediaUrl('b'.repeat(64), { secret, expiresAt }).signature).not.toBe(a.signature);
    expect(signMediaUrl(id, { secret: 'other', expiresAt }).signature).not.toBe(a.signature);
    expect(signMediaUrl(id, { secret, expiresAt: new Date(expiresAt.getTime() + 1000) }).signature).not.toBe(
      a.signature,
    );
  });

  it('rejects tampered, foreign, malformed and missing signatures as invalid', () => {
    const link = signMediaUrl(id, { secret, expiresAt });
    const expires = String(link.expires);
    const flipped = `${link.signature[0] === 'A' ? 'B' : 'A'}${link.signature.slice(1)}`;
    const cases = [
      { expires, signature: flipped },
      { expires: String(link.expires + 3600), signature: link.signature }, // extended expiry
      { expires, signature: `${link.signature}=` }, // non-canonical spelling of the same bytes
      { expires, signature: link.signature.slice(0, 20) },
      { expires: '1e12', signature: link.signature },
      { expires: undefined, signature: link.signature },
      { expires, signature: undefined },
    ];
    for (const query of cases) {
      expect(verifyMediaSignature(id, query, { secret, now: before })).toEqual({
        ok: false,
        reason: 'invalid',
      });
    }
    const other = { expires, signature: link.signature };
    expect(verifyMediaSignature('b'.repeat(64), other, { secret, now: before })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(verifyMediaSignature(id, other, { secret: 'other', now: before })).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('reports a tampered expired link as invalid, not expired', () => {
    const link = signMediaUrl(id, { secret, expiresAt: new Date('2020-01-01T00:00:00Z') });
    const query = { expires: String(link.expires), signature: `x${link.signature.slice(1)}` };
    expect(verifyMediaSignature(id, query, { secret })).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyMediaSignature(id, { ...query, signature: link.signature }, { secret })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses an empty secret', () => {
    expect(() => signMediaUrl(id, { secret: '', expiresAt })).toThrow(RangeError);
  });
});
