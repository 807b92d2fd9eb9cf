import { z } from 'zod';

export const signInBody = z.object({
  apiKey: z
    .string()
    .min(1)
    .max(512)
    .describe('the admin key (API_KEY), a stored admin key or a per-session key; never stored in the cookie'),
});

/** What sign-in and GET /api/dashboard/session answer (apps/dashboard/src/api.ts DashboardSession). */
export const dashboardSession = z.object({
  scope: z
    .enum(['admin', 'session'])
    .describe('admin: everything; session: the one session of a per-session key, as with the key itself'),
  sessionId: z.string().nullable().describe('the session of a per-session key; null for admin'),
  csrfToken: z
    .string()
    .describe('send it as X-CSRF-Token on every POST, PUT, PATCH and DELETE made with the cookie'),
  expiresAt: z.string().describe('when the cookie stops working (DASHBOARD_SESSION_TTL after sign-in)'),
});
