import { AppError } from '@wagw/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyResolver, Principal } from './api-key-resolver.js';
import {
  CONFIG_ADMIN_KEY_ID,
  clearDashboardCookie,
  csrfTokensMatch,
  DASHBOARD_COOKIE,
  type DashboardClaims,
  type DashboardCookies,
} from './dashboard-cookie.js';
import type { SignOutList } from './dashboard-sign-outs.js';

export interface DashboardAuthOptions {
  cookies: DashboardCookies;
  signOuts: SignOutList;
  keys: ApiKeyResolver;
}

/** Methods that change nothing: they need no CSRF token (and must never change anything). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `Sec-Fetch-Site` values of requests another site's page made. The dashboard is served by the API
 * itself, so its own requests are always `same-origin`; `same-site` (a sibling subdomain) is refused
 * too, since SameSite=Strict does not keep a sibling's requests from carrying the cookie.
 */
const FOREIGN_SITES = new Set(['cross-site', 'same-site']);

/** Refuses a request that another site's page made (browsers say so in Sec-Fetch-Site). */
export function refuseCrossSite(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && FOREIGN_SITES.has(site)) {
    throw new AppError('CROSS_SITE_REQUEST_REFUSED', `a ${site} request may not use the dashboard session`);
  }
}

/** The dashboard cookie of the request, when it carries one. */
export function dashboardCookieOf(request: FastifyRequest): string | undefined {
  const value = request.cookies[DASHBOARD_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * A state-changing request made with the cookie must come from the dashboard's own page: not from
 * another site, and with the sign-in's CSRF token in X-CSRF-Token, which only a same-origin script
 * can have read (from the sign-in or GET /api/dashboard/session answer).
 */
function checkCsrf(request: FastifyRequest, claims: DashboardClaims): void {
  if (SAFE_METHODS.has(request.method)) return;
  refuseCrossSite(request);
  const presented = request.headers['x-csrf-token'];
  if (typeof presented !== 'string' || presented === '') {
    throw new AppError(
      'CSRF_TOKEN_INVALID',
      'missing X-CSRF-Token: requests made with the dashboard cookie need it',
    );
  }
  if (!csrfTokensMatch(presented, claims.csrf)) {
    throw new AppError('CSRF_TOKEN_INVALID', 'X-CSRF-Token does not match the dashboard session');
  }
}

/**
 * Authenticates a request by its dashboard cookie: the signature and expiry, sign-out, the key it
 * names (a revoked or deleted key ends its cookies at once: it is looked up on every request), and
 * CSRF. The principal is the key's, so a cookie grants exactly what its key grants.
 */
export function createDashboardAuth(options: DashboardAuthOptions) {
  async function signedOut(request: FastifyRequest, claims: DashboardClaims): Promise<boolean> {
    try {
      return await options.signOuts.has(claims.id);
    } catch (err) {
      request.log.warn({ err }, 'dashboard sign-out list unavailable; accepting the cookie');
      return false;
    }
  }

  async function principalOf(request: FastifyRequest, claims: DashboardClaims): Promise<Principal | null> {
    if (claims.keyId === CONFIG_ADMIN_KEY_ID) return claims.kind === 'admin' ? { kind: 'admin' } : null;
    const principal = await options.keys.byStoredId(request, claims.keyId);
    // A key never changes its session; a mismatch means the cookie is not what was issued.
    const sameScope =
      principal !== null &&
      principal.kind === claims.kind &&
      (principal.kind === 'admin' ? claims.sessionId === null : principal.sessionId === claims.sessionId);
    return sameScope ? principal : null;
  }

  /** 401, and the browser is told to drop the cookie: it will never be accepted again. */
  function reject(reply: FastifyReply, message: string): never {
    clearDashboardCookie(reply);
    throw new AppError('UNAUTHORIZED', `${message}; sign in again`);
  }

  return {
    async authenticate(request: FastifyRequest, reply: FastifyReply, value: string): Promise<Principal> {
      const reading = options.cookies.read(value);
      if (!reading.ok) return reject(reply, `dashboard session cookie ${reading.reason}`);
      const { claims } = reading;
      if (await signedOut(request, claims)) return reject(reply, 'dashboard session signed out');
      const principal = await principalOf(request, claims);
      if (!principal) return reject(reply, 'the API key of this dashboard session was revoked');
      request.dashboardSession = claims;
      checkCsrf(request, claims);
      return principal;
    },
  };
}

export type DashboardAuth = ReturnType<typeof createDashboardAuth>;
