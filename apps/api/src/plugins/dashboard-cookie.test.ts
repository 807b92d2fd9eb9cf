import { describe, expect, it } from 'vitest';
import { CONFIG_ADMIN_KEY_ID, createDashboardCookies, csrfTokensMatch } from './dashboard-cookie.js';

const SECRET = 'cookie-secret-'.repeat(3);
const ADMIN_KEY = 'admin-key-0123456789';
const HOUR = 3600_000;

function codec(overrides: Partial<Parameters<typeof createDashboardCookies>[0]> = {}) {
  let now = Date.UTC(2025, 0, 1);
  const cookies = createDashboardCookies({
    secret: SECRET,
    adminKey: ADMIN_KEY,
    ttlMs: 12 * HOUR,
    now: () => now,
    ...overrides,
  });
  return { cookies, advance: (ms: number) => (now += ms), now: () => now };
}

const admin = { kind: 'admin', keyId: CONFIG_ADMIN_KEY_ID, sessionId: null } as const;
const perSession = { kind: 'session', keyId: 'key-1', sessionId: 'session-1' } as const;

/** Rewrites the JSON payload of a cookie, keeping its signature. */
function tamper(value: string, change: (claims: Record<string, unknown>) => void): string {
  const [payload, signature] = value.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(claims);
  return `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

describe('dashboard cookie', () => {
  it('reads back what it issued, with fresh random id and CSRF token per sign-in', () => {
    const { cookies, now } = codec();
    const first = cookies.issue(perSession);
    expect(first.claims).toMatchObject({ ...perSession, exp: now() + 12 * HOUR });
    expect(cookies.read(first.value)).toEqual({ ok: true, claims: first.claims });
    const second = cookies.issue(perSession);
    expect(second.claims.id).not.toBe(first.claims.id);
    expect(second.claims.csrf).not.toBe(first.claims.csrf);
    expect(first.claims.csrf).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('uses only cookie-safe characters', () => {
    expect(codec().cookies.issue(admin).value).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('expires at exp: valid a millisecond before, refused from then on', () => {
    const { cookies, advance } = codec({ ttlMs: 60_000 });
    const { value } = cookies.issue(admin);
    advance(59_999);
    expect(cookies.read(value).ok).toBe(true);
    advance(1);
    expect(cookies.read(value)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a changed payload (a later expiry, another session, admin scope)', () => {
    const { cookies } = codec();
    const { value } = cookies.issue(perSession);
    const changes: Array<(c: Record<string, unknown>) => void> = [
      (c) => {
        c.exp = (c.exp as number) + HOUR;
      },
      (c) => {
        c.sessionId = 'session-2';
      },
      (c) => {
        c.kind = 'admin';
        c.keyId = CONFIG_ADMIN_KEY_ID;
        c.sessionId = null;
      },
    ];
    for (const change of changes) {
      expect(cookies.read(tamper(value, change))).toEqual({ ok: false, reason: 'forged' });
    }
  });

  it('refuses a cookie signed with another secret', () => {
    const { value } = codec({ secret: 'another-secret-'.repeat(3) }).cookies.issue(admin);
    expect(codec().cookies.read(value)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses every cookie once API_KEY changes, even with the same secret', () => {
    const before = codec();
    const after = codec({ adminKey: 'rotated-admin-key-0123' });
    for (const subject of [admin, perSession]) {
      expect(after.cookies.read(before.cookies.issue(subject).value)).toEqual({
        ok: false,
        reason: 'forged',
      });
    }
  });

  it.each([
    ['empty', ''],
    ['no signature', 'abc'],
    ['three parts', 'a.b.c'],
    ['a truncated signature', (v: string) => v.slice(0, -2)],
  ])('refuses %s', (_label, value) => {
    const { cookies } = codec();
    const cookie = typeof value === 'function' ? value(cookies.issue(admin).value) : value;
    expect(cookies.read(cookie).ok).toBe(false);
  });
});

describe('csrfTokensMatch', () => {
  it('matches only the same token', () => {
    expect(csrfTokensMatch('abc', 'abc')).toBe(true);
    expect(csrfTokensMatch('abd', 'abc')).toBe(false);
    expect(csrfTokensMatch('', 'abc')).toBe(false);
    expect(csrfTokensMatch('abcabc', 'abc')).toBe(false);
  });
});
