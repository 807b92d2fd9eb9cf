import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import { int, optionalSecret } from './fields.js';
import { parseEnv } from './load.js';

/** Dashboard variables (the API serves the dashboard at /dashboard; docs/access.md#dashboard). */
export const dashboardEnv = {
  // How long a dashboard sign-in lasts, in ms (12 h: a working day). The cookie is never extended,
  // so a copied one stops working by itself; sign-out ends it sooner.
  DASHBOARD_SESSION_TTL: int(12 * 3600_000, { min: 60_000, max: 30 * 24 * 3600_000 }),
  // HMAC secret of the dashboard cookie. Unset: derived from API_KEY, so changing API_KEY signs
  // everyone out; every API replica must use the same value either way.
  DASHBOARD_COOKIE_SECRET: optionalSecret(32),
} as const;

type DashboardEnv = z.infer<z.ZodObject<typeof dashboardEnv>>;

/** Where dashboard cookies get their secret when DASHBOARD_COOKIE_SECRET is unset. */
function deriveDashboardCookieSecret(apiKey: string): string {
  // One-way and labelled like the media link secret: it never reveals API_KEY nor equals another
  // derived value, so a leaked media link secret cannot sign cookies.
  return createHmac('sha256', apiKey).update('wagw-dashboard-cookie-secret:v1').digest('base64url');
}

/** The dashboard settings of the API; `apiKey` (API_KEY) seeds the cookie secret when none is set. */
export function dashboardConfig(env: DashboardEnv, apiKey: string) {
  return {
    sessionTtlMs: env.DASHBOARD_SESSION_TTL,
    cookieSecret: env.DASHBOARD_COOKIE_SECRET ?? deriveDashboardCookieSecret(apiKey),
  };
}

export type DashboardConfig = ReturnType<typeof dashboardConfig>;

/**
 * The settings an API gets with none of the variables set, for callers that build the app without
 * an environment (the OpenAPI generator, tests).
 */
export function defaultDashboardConfig(apiKey: string): DashboardConfig {
  return dashboardConfig(parseEnv(dashboardEnv, {}), apiKey);
}
