import { AppError } from '@wagw/errors';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../lib/http-schemas.js';
import type { ApiKeyResolver, Principal } from '../../plugins/api-key-resolver.js';
import {
  CONFIG_ADMIN_KEY_ID,
  type CookieSubject,
  clearDashboardCookie,
  type DashboardClaims,
  type DashboardCookies,
  setDashboardCookie,
} from '../../plugins/dashboard-cookie.js';
import { refuseCrossSite } from '../../plugins/dashboard-session-auth.js';
import type { SignOutList } from '../../plugins/dashboard-sign-outs.js';
import { dashboardSession, signInBody } from './dashboard.schemas.js';

/** Public: sign-in is how a browser without a cookie gets one (the auth hook lets it through). */
export const DASHBOARD_SIGN_IN_PATH = '/api/dashboard/sign-in';

/**
 * Sign-in attempts per client address per minute (also capped by RATE_LIMIT_PER_MINUTE, and off
 * with it). Keys are 16+ random characters, so guessing one is hopeless at any rate; the budget
 * keeps a flood of bad keys from costing a database lookup each, while leaving room for people
 * sharing one address (an office behind NAT, a proxy without TRUST_PROXY).
 */
const SIGN_IN_ATTEMPTS_PER_MINUTE = 30;

export interface DashboardRoutesDeps {
  keys: ApiKeyResolver;
  cookies: DashboardCookies;
  signOuts: SignOutList;
}

const tags = ['dashboard'];

function subjectOf(principal: Principal): CookieSubject {
  return principal.kind === 'admin'
    ? { kind: 'admin', keyId: principal.keyId ?? CONFIG_ADMIN_KEY_ID, sessionId: null }
    : { kind: 'session', keyId: principal.keyId, sessionId: principal.sessionId };
}

function sessionView(claims: DashboardClaims): z.infer<typeof dashboardSession> {
  return {
    scope: claims.kind,
    sessionId: claims.sessionId,
    csrfToken: claims.csrf,
    expiresAt: new Date(claims.exp).toISOString(),
  };
}

/**
 * The dashboard's sign-in: an API key exchanged for a signed, expiring, HttpOnly cookie that every
 * /api route accepts in place of the key (plugins/dashboard-session-auth.ts); docs/access.md#dashboard.
 */
export function dashboardRoutes(deps: DashboardRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.post(
      DASHBOARD_SIGN_IN_PATH,
      {
        config: { clientIpRateLimit: { name: 'sign-in', limit: SIGN_IN_ATTEMPTS_PER_MINUTE } },
        schema: {
          tags,
          summary: 'Exchange an API key for the dashboard cookie',
          body: signInBody,
          response: {
            200: dashboardSession,
            400: errorResponse,
            401: errorResponse,
            403: errorResponse,
            429: errorResponse,
          },
        },
      },
      async (request, reply) => {
        // Another site must not sign a visitor in under its own key (login CSRF). A form cannot
        // send JSON anyway (415); this covers scripts on other sites too.
        refuseCrossSite(request);
        const principal = await deps.keys.byKey(request, request.body.apiKey);
        const { value, claims } = deps.cookies.issue(subjectOf(principal));
        setDashboardCookie(reply, value, claims);
        request.log.info({ keyId: claims.keyId, scope: claims.kind }, 'dashboard sign-in');
        return sessionView(claims);
      },
    );

    routes.get(
      '/api/dashboard/session',
      {
        config: { sessionAccess: 'any' },
        schema: {
          tags,
          summary: 'The signed-in dashboard session and its CSRF token',
          response: { 200: dashboardSession, 401: errorResponse },
        },
      },
      async (request) => {
        if (!request.dashboardSession) {
          throw new AppError(
            'UNAUTHORIZED',
            `no dashboard session: sign in with POST ${DASHBOARD_SIGN_IN_PATH}`,
          );
        }
        return sessionView(request.dashboardSession);
      },
    );

    routes.post(
      '/api/dashboard/sign-out',
      {
        config: { sessionAccess: 'any' },
        schema: {
          tags,
          summary: 'End the dashboard session (needs X-CSRF-Token)',
          response: {
            204: z.null().describe('signed out; the cookie is cleared'),
            401: errorResponse,
            403: errorResponse,
          },
        },
      },
      async (request, reply) => {
        const claims = request.dashboardSession;
        if (claims) {
          // Recorded until the cookie would expire, so a copy of it stops working now, not then.
          await deps.signOuts.add(claims.id, claims.exp).catch((err: unknown) => {
            request.log.warn({ err }, 'dashboard sign-out not recorded; the cookie is only cleared');
          });
        }
        clearDashboardCookie(reply);
        return reply.code(204).send(null);
      },
    );
  };
}
