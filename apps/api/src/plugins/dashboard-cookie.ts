import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

/** The dashboard's session cookie (docs/access.md#dashboard). */
export const DASHBOARD_COOKIE = 'wagw_session';

/** The key id a cookie of the configuration's API_KEY carries (stored keys carry their own id). */
export const CONFIG_ADMIN_KEY_ID = 'admin-config';

const claimsSchema = z.object({
  v: z.literal(1),
  id: z.string().min(16).max(64),
  kind: z.enum(['admin', 'session']),
  keyId: z.string().min(1).max(128),
  sessionId: z.string().min(1).max(128).nullable(),
  exp: z.number().int().positive(),
  csrf: z.string().min(16).max(64),
});

/**
 * What a dashboard cookie says. It is signed, so the browser can read none of it (HttpOnly) and
 * change none of it; the key it names is looked up again on every request.
 */
export type DashboardClaims = Omit<z.infer<typeof claimsSchema>, 'v'>;

/** Why a cookie was not accepted; logged, and said in the 401. */
type RejectReason = 'malformed' | 'forged' | 'expired';

export type CookieReading = { ok: true; claims: DashboardClaims } | { ok: false; reason: RejectReason };

export interface DashboardCookieOptions {
  /** DASHBOARD_COOKIE_SECRET, or the secret derived from API_KEY (packages/config). */
  secret: string;
  /**
   * The configuration's API_KEY. Its digest is part of what every signature covers, so changing
   * API_KEY ends every sign-in even when DASHBOARD_COOKIE_SECRET stays (as it does anyway when the
   * secret is derived from API_KEY): rotating the admin key is the way to sign everyone out.
   */
  adminKey: string;
  /** Lifetime of a sign-in (DASHBOARD_SESSION_TTL). */
  ttlMs: number;
  /** The clock. Default Date.now. */
  now?: () => number;
}

/** What a sign-in is issued for: the key that signed in, as the principal it resolved to. */
export interface CookieSubject {
  kind: 'admin' | 'session';
  /** A stored key's id, or CONFIG_ADMIN_KEY_ID. */
  keyId: string;
  sessionId: string | null;
}

/** Random, URL-safe tokens: 18 bytes (144 bits), far beyond guessing within a cookie's lifetime. */
function token(): string {
  return randomBytes(18).toString('base64url');
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Issues and reads the stateless dashboard cookie: `<payload>.<signature>`, both base64url, where
 * the payload is the JSON claims and the signature an HMAC-SHA256 over a label, the payload and a
 * digest of API_KEY. Nothing is stored for a valid cookie; sign-out and revoked keys are handled by
 * the caller (dashboard-session-auth.ts).
 */
export function createDashboardCookies(options: DashboardCookieOptions) {
  const now = options.now ?? Date.now;
  const adminKeyDigest = sha256Hex(options.adminKey);

  function sign(payload: string): Buffer {
    return createHmac('sha256', options.secret)
      .update(`wagw-dashboard-cookie:v1\n${payload}\n${adminKeyDigest}`)
      .digest();
  }

  return {
    ttlMs: options.ttlMs,

    /** A new sign-in: fresh id and CSRF token, expiring `ttlMs` from now. */
    issue(subject: CookieSubject): { value: string; claims: DashboardClaims } {
      const claims: DashboardClaims = { id: token(), ...subject, exp: now() + options.ttlMs, csrf: token() };
      const payload = Buffer.from(JSON.stringify({ v: 1, ...claims })).toString('base64url');
      return { value: `${payload}.${sign(payload).toString('base64url')}`, claims };
    },

    /** The claims of a cookie whose signature verifies and whose time has not passed. */
    read(value: string): CookieReading {
      const [payload, signature, extra] = value.split('.');
      if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
      // The signature first: nothing the browser sent is parsed before it is known to be ours.
      const presented = Buffer.from(signature, 'base64url');
      const expected = sign(payload);
      // Equal lengths first: timingSafeEqual throws otherwise; the length of a MAC is no secret.
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
        return { ok: false, reason: 'forged' };
      }
      let parsed: ReturnType<typeof claimsSchema.safeParse>;
      try {
        parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (!parsed.success) return { ok: false, reason: 'malformed' };
      const { v: _version, ...claims } = parsed.data;
      if (claims.exp <= now()) return { ok: false, reason: 'expired' };
      return { ok: true, claims };
    },
  };
}

export type DashboardCookies = ReturnType<typeof createDashboardCookies>;

/** Constant-time comparison of a presented CSRF token with the cookie's. */
export function csrfTokensMatch(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Sets the cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it),
 * Path=/ (the page is under /dashboard, the API under /api), Max-Age = the sign-in's lifetime, and
 * Secure when the request came over HTTPS (`request.protocol` honours X-Forwarded-Proto with
 * TRUST_PROXY), so a plain-HTTP deployment on a LAN still works.
 */
export function setDashboardCookie(reply: FastifyReply, value: string, claims: DashboardClaims): void {
  void reply.setCookie(DASHBOARD_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: Math.max(1, Math.floor((claims.exp - Date.now()) / 1000)),
    secure: reply.request.protocol === 'https',
  });
}

/** Tells the browser to drop the cookie (sign-out, or a cookie that is no longer accepted). */
export function clearDashboardCookie(reply: FastifyReply): void {
  void reply.clearCookie(DASHBOARD_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: reply.request.protocol === 'https',
  });
}
