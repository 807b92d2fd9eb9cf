import { defaultDashboardConfig } from '@wagw/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_ADMIN_KEY_ID, createDashboardCookies } from '../src/plugins/dashboard-cookie.js';
import { AUTH, createTestApp, TEST_API_KEY, type TestApp } from './api-test-app.js';
import {
  cookieOf,
  createSession,
  type SessionBody,
  setCookieOf,
  signedIn,
  signIn,
  storeKey,
} from './dashboard-api-helpers.js';

const STORED_ADMIN = 'wagw_stored-admin-key-0123456789';
const OWN_KEY = 'wagw_own-session-key-0123456789';

let t: TestApp;
let own: string;
let other: string;

beforeAll(async () => {
  t = await createTestApp();
  own = await createSession(t, 'own');
  other = await createSession(t, 'other');
  await storeKey(t, STORED_ADMIN, null);
  await storeKey(t, OWN_KEY, own);
});
afterAll(() => t.close());

function inject(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: object,
) {
  return t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}

describe('POST /api/dashboard/sign-in', () => {
  it('exchanges the config admin key for an HttpOnly, SameSite=Strict cookie valid 12 h', async () => {
    const before = Date.now();
    const res = await signIn(t, TEST_API_KEY);
    expect(res.statusCode).toBe(200);
    const body = res.json<SessionBody>();
    expect(body).toEqual({
      scope: 'admin',
      sessionId: null,
      csrfToken: expect.any(String),
      expiresAt: expect.any(String),
    });
    const expiresIn = Date.parse(body.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(12 * 3600_000 - 5000);
    expect(expiresIn).toBeLessThanOrEqual(12 * 3600_000 + 1000);
    const setCookie = setCookieOf(res);
    expect(setCookie).toMatch(/^wagw_session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+;/);
    const attributes = setCookie.split('; ').slice(1);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']));
    expect(attributes.find((a) => a.startsWith('Max-Age='))).toMatch(/^Max-Age=4319[0-9]$|^Max-Age=43200$/);
    // Plain HTTP here: a Secure cookie would never be sent back.
    expect(attributes).not.toContain('Secure');
    // The key itself is never in the cookie, in any form a browser could read back.
    expect(
      Buffer.from(cookieOf(res).split('=')[1]?.split('.')[0] ?? '', 'base64url').toString(),
    ).not.toContain(TEST_API_KEY);
  });

  it('signs in with a stored admin key: admin scope, the key works as itself', async () => {
    const { cookie, body } = await signedIn(t, STORED_ADMIN);
    expect(body).toMatchObject({ scope: 'admin', sessionId: null });
    expect((await inject('GET', '/api/keys', { cookie })).statusCode).toBe(200);
  });

  it('signs in with a per-session key: session scope, its session only, as with the key', async () => {
    const { cookie, body } = await signedIn(t, OWN_KEY);
    expect(body).toMatchObject({ scope: 'session', sessionId: own });
    const list = await inject('GET', '/api/sessions', { cookie });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ items: Array<{ id: string }> }>().items.map((s) => s.id)).toEqual([own]);
    expect((await inject('GET', `/api/sessions/${own}`, { cookie })).statusCode).toBe(200);
    const theirs = await inject('GET', `/api/sessions/${other}`, { cookie });
    expect(theirs.statusCode).toBe(403);
    expect(theirs.json().code).toBe('FORBIDDEN');
    // And exactly as the key itself would be answered.
    expect((await inject('GET', `/api/sessions/${other}`, { 'x-api-key': OWN_KEY })).statusCode).toBe(403);
    expect((await inject('GET', '/api/keys', { cookie })).statusCode).toBe(403);
    expect((await inject('GET', `/api/sessions/${other}/messages`, { cookie })).statusCode).toBe(403);
  });

  it('refuses a wrong key with 401 and sets no cookie', async () => {
    const res = await signIn(t, 'not-a-key-of-this-gateway');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED', message: 'invalid API key' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('validates the body: no key is 400, a form post is 415 (no login CSRF by HTML form)', async () => {
    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/dashboard/sign-in',
      payload: { apiKey: '' },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('VALIDATION_FAILED');
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/dashboard/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `apiKey=${TEST_API_KEY}`,
    });
    expect(form.statusCode).toBe(415);
    expect(form.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it("refuses a sign-in made by another site's page", async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await signIn(t, TEST_API_KEY, { 'sec-fetch-site': site });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('CROSS_SITE_REQUEST_REFUSED');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect((await signIn(t, TEST_API_KEY, { 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
  });
});

describe('GET /api/dashboard/session', () => {
  it('answers the signed-in session with its CSRF token', async () => {
    const { cookie, body } = await signedIn(t, OWN_KEY);
    const res = await inject('GET', '/api/dashboard/session', { cookie });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(body);
  });

  it('is 401 without a cookie, and with a key but no cookie', async () => {
    const none = await inject('GET', '/api/dashboard/session', {});
    expect(none.statusCode).toBe(401);
    const keyOnly = await inject('GET', '/api/dashboard/session', AUTH);
    expect(keyOnly.statusCode).toBe(401);
    expect(keyOnly.json().message).toMatch(/no dashboard session/);
  });
});

describe('CSRF with the cookie', () => {
  it('refuses a POST without X-CSRF-Token, or with a wrong one, and changes nothing', async () => {
    const { cookie, csrf } = await signedIn(t, TEST_API_KEY);
    const missing = await inject('POST', '/api/sessions', { cookie }, { name: 'csrf-missing', start: false });
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({
      code: 'CSRF_TOKEN_INVALID',
      message: expect.stringMatching(/missing/),
    });
    const wrong = await inject(
      'POST',
      '/api/sessions',
      // One character changed (a token that already ends in `x`, 1 in 64, must not stay the same).
      { cookie, 'x-csrf-token': `${csrf.slice(0, -1)}${csrf.endsWith('x') ? 'y' : 'x'}` },
      { name: 'csrf-wrong', start: false },
    );
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('CSRF_TOKEN_INVALID');
    // Another sign-in's token does not fit this cookie either.
    const { csrf: otherToken } = await signedIn(t, TEST_API_KEY);
    const foreign = await inject(
      'POST',
      '/api/sessions',
      { cookie, 'x-csrf-token': otherToken },
      { name: 'csrf-foreign', start: false },
    );
    expect(foreign.statusCode).toBe(403);
    const names = (await t.db.repos.sessions.list()).map((s) => s.name);
    expect(names).not.toEqual(expect.arrayContaining(['csrf-missing']));
    expect(names.filter((n) => n.startsWith('csrf-'))).toEqual([]);
  });

  it('accepts the POST with the token, and DELETE too', async () => {
    const { cookie, csrf } = await signedIn(t, TEST_API_KEY);
    const created = await inject(
      'POST',
      '/api/sessions',
      { cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'same-origin' },
      { name: 'csrf-ok', start: false },
    );
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    expect((await inject('DELETE', `/api/sessions/${id}`, { cookie })).statusCode).toBe(403);
    expect((await inject('DELETE', `/api/sessions/${id}`, { cookie, 'x-csrf-token': csrf })).statusCode).toBe(
      202,
    );
  });

  it('a per-session cookie with its token acts on its own session, and on it only', async () => {
    const { cookie, csrf } = await signedIn(t, OWN_KEY);
    const mine = await inject('POST', `/api/sessions/${own}/start`, { cookie, 'x-csrf-token': csrf });
    expect(mine.statusCode).toBe(202);
    const theirs = await inject('POST', `/api/sessions/${other}/stop`, { cookie, 'x-csrf-token': csrf });
    expect(theirs.statusCode).toBe(403);
    expect(theirs.json().code).toBe('FORBIDDEN');
  });

  it('refuses a cookie request from another site even with the right token', async () => {
    const { cookie, csrf } = await signedIn(t, TEST_API_KEY);
    for (const site of ['cross-site', 'same-site']) {
      const res = await inject(
        'POST',
        '/api/sessions',
        { cookie, 'x-csrf-token': csrf, 'sec-fetch-site': site },
        { name: `cross-${site}`, start: false },
      );
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('CROSS_SITE_REQUEST_REFUSED');
    }
  });

  it('leaves GET alone, and requests with X-API-Key need no token', async () => {
    const { cookie } = await signedIn(t, TEST_API_KEY);
    expect(
      (await inject('GET', '/api/sessions', { cookie, 'sec-fetch-site': 'same-origin' })).statusCode,
    ).toBe(200);
    const withKey = await inject(
      'POST',
      '/api/sessions',
      { ...AUTH, cookie },
      { name: 'key-no-csrf', start: false },
    );
    expect(withKey.statusCode).toBe(201);
  });
});

describe('cookies that are not accepted', () => {
  const list = (cookie: string) => inject('GET', '/api/sessions', { cookie });

  /** The 401 also tells the browser to drop the cookie. */
  function expectRejected(res: Awaited<ReturnType<typeof list>>, reason: RegExp) {
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(reason) });
    expect(setCookieOf(res)).toMatch(/^wagw_session=;.*Max-Age=0/);
  }

  it('forged: another signature, or a payload changed under the old signature', async () => {
    const { cookie } = await signedIn(t, OWN_KEY);
    const [payload, signature] = cookie.slice('wagw_session='.length).split('.') as [string, string];
    expectRejected(await list(`wagw_session=${payload}.${'A'.repeat(signature.length)}`), /forged/);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const escalated = Buffer.from(
      JSON.stringify({ ...claims, kind: 'admin', keyId: CONFIG_ADMIN_KEY_ID, sessionId: null }),
    ).toString('base64url');
    expectRejected(await list(`wagw_session=${escalated}.${signature}`), /forged/);
    expectRejected(await list('wagw_session=garbage'), /malformed/);
  });

  it('expired: correctly signed, but its time has passed', async () => {
    const settings = defaultDashboardConfig(TEST_API_KEY);
    const yesterday = createDashboardCookies({
      secret: settings.cookieSecret,
      adminKey: TEST_API_KEY,
      ttlMs: settings.sessionTtlMs,
      now: () => Date.now() - 24 * 3600_000,
    });
    const { value } = yesterday.issue({ kind: 'admin', keyId: CONFIG_ADMIN_KEY_ID, sessionId: null });
    expectRejected(await list(`wagw_session=${value}`), /expired/);
  });

  it('a revoked key: its cookie stops working at once', async () => {
    const raw = 'wagw_soon-revoked-key-0123456789';
    const keyId = await storeKey(t, raw, own);
    const { cookie } = await signedIn(t, raw);
    expect((await list(cookie)).statusCode).toBe(200);
    expect((await inject('DELETE', `/api/keys/${keyId}`, AUTH)).statusCode).toBe(204);
    expectRejected(await list(cookie), /revoked/);
    expect((await inject('GET', '/api/dashboard/session', { cookie })).statusCode).toBe(401);
  });

  it('the cookie opens the JSON API only: Bull Board still asks for HTTP Basic', async () => {
    const { cookie } = await signedIn(t, TEST_API_KEY);
    const res = await inject('GET', '/admin/queues', { cookie });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="wagw"');
  });
});

describe('POST /api/dashboard/sign-out', () => {
  it('needs the CSRF token', async () => {
    const { cookie } = await signedIn(t, TEST_API_KEY);
    const res = await inject('POST', '/api/dashboard/sign-out', { cookie });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('CSRF_TOKEN_INVALID');
    expect((await inject('GET', '/api/dashboard/session', { cookie })).statusCode).toBe(200);
  });

  it('clears the cookie, and a copy of it is refused from then on', async () => {
    const { cookie, csrf } = await signedIn(t, OWN_KEY);
    const res = await inject('POST', '/api/dashboard/sign-out', { cookie, 'x-csrf-token': csrf });
    expect(res.statusCode).toBe(204);
    const cleared = setCookieOf(res);
    expect(cleared).toMatch(/^wagw_session=;/);
    expect(cleared).toContain('Max-Age=0');
    expect(cleared).toContain('Path=/');
    const again = await inject('GET', '/api/dashboard/session', { cookie });
    expect(again.statusCode).toBe(401);
    expect(again.json().message).toMatch(/signed out/);
    // The entry lives as long as the cookie would have, no longer.
    const ttl = await t.redis.pttl(
      `${t.prefix}:dashboard:signed-out:${
        JSON.parse(
          Buffer.from(cookie.slice('wagw_session='.length).split('.')[0] ?? '', 'base64url').toString(),
        ).id
      }`,
    );
    expect(ttl).toBeGreaterThan(12 * 3600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(12 * 3600_000);
    // Other sign-ins of the same key are not affected.
    const { cookie: second } = await signedIn(t, OWN_KEY);
    expect((await inject('GET', '/api/dashboard/session', { cookie: second })).statusCode).toBe(200);
  });
});

describe('Secure', () => {
  let proxied: TestApp;
  beforeAll(async () => {
    // Behind a TLS-terminating load balancer (TRUST_PROXY=true), which says https in X-Forwarded-Proto.
    proxied = await createTestApp({ config: { trustProxy: true } });
  });
  afterAll(() => proxied.close());

  it('is set when the request came over HTTPS, on sign-in and on sign-out', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    const res = await signIn(proxied, TEST_API_KEY, https);
    expect(setCookieOf(res).split('; ')).toContain('Secure');
    const out = await proxied.app.inject({
      method: 'POST',
      url: '/api/dashboard/sign-out',
      headers: { ...https, cookie: cookieOf(res), 'x-csrf-token': res.json<SessionBody>().csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect(setCookieOf(out).split('; ')).toContain('Secure');
    expect(setCookieOf(await signIn(proxied, TEST_API_KEY)).split('; ')).not.toContain('Secure');
  });

  it('is not set on the word of a client the API does not trust as a proxy', async () => {
    const res = await signIn(t, TEST_API_KEY, { 'x-forwarded-proto': 'https' });
    expect(setCookieOf(res).split('; ')).not.toContain('Secure');
  });
});
