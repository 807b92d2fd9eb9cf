import { hashApiKey } from '@wagw/db';
import type { LightMyRequestResponse } from 'fastify';
import { AUTH, type TestApp } from './api-test-app.js';

/** What the dashboard's sign-in and session routes answer. */
export interface SessionBody {
  scope: 'admin' | 'session';
  sessionId: string | null;
  csrfToken: string;
  expiresAt: string;
}

export function signIn(t: TestApp, apiKey: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: '/api/dashboard/sign-in', headers, payload: { apiKey } });
}

/** The one Set-Cookie header of a response (fails the test when there is not exactly one). */
export function setCookieOf(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const all = Array.isArray(header) ? header : header === undefined ? [] : [header];
  if (all.length !== 1) throw new Error(`expected one Set-Cookie, got ${all.length}`);
  return all[0] as string;
}

/** `wagw_session=<value>`, as a browser sends it back in the Cookie header. */
export function cookieOf(res: LightMyRequestResponse): string {
  return setCookieOf(res).split(';')[0] as string;
}

/** Signs in and returns the cookie header and the CSRF token. */
export async function signedIn(t: TestApp, apiKey: string) {
  const res = await signIn(t, apiKey);
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const body = res.json<SessionBody>();
  return { cookie: cookieOf(res), csrf: body.csrfToken, body };
}

/** A stored key (admin when `sessionId` is null) with the given raw value; returns its id. */
export async function storeKey(t: TestApp, raw: string, sessionId: string | null) {
  const key = await t.db.repos.apiKeys.create({
    name: `test ${raw.slice(0, 6)}`,
    keyHash: hashApiKey(raw),
    prefix: raw.slice(0, 8),
    sessionId,
  });
  return key.id;
}

/** A session created through the API with the admin key (start: false, so nothing is queued). */
export async function createSession(t: TestApp, name: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: AUTH,
    payload: { name, start: false },
  });
  if (res.statusCode !== 201) throw new Error(`session create failed: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}
