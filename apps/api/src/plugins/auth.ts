import { AppError, isAppError } from '@wagw/errors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyResolver, Principal } from './api-key-resolver.js';
import type { AuthFailureLimit } from './auth-failures.js';
import type { DashboardClaims } from './dashboard-cookie.js';
import { type DashboardAuth, dashboardCookieOf } from './dashboard-session-auth.js';
import { sendError } from './error-handler.js';

export { keysMatch } from './api-key-resolver.js';

/**
 * How a route is authorised for session keys (route option `config.sessionAccess`):
 * - routes under `/api/sessions/:id` need nothing: the hook compares `:id` with the key's session;
 * - `'resource'`: the route resolves what it touches (a message, a list) and calls
 *   `assertSessionAccess(request, thatSessionId)` itself, or scopes its query with `sessionScope`;
 * - `'any'`: any valid key, for resources that belong to no session (media, by content address);
 * - every other route is refused to session keys with 403 FORBIDDEN (admin-only by default).
 */
type SessionAccess = 'resource' | 'any';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** Set when the request was authenticated by the dashboard cookie rather than a key. */
    dashboardSession?: DashboardClaims;
  }
  interface FastifyContextConfig {
    sessionAccess?: SessionAccess;
    /**
     * A route that may also be opened by a signed link instead of a key (GET /api/media/:id).
     * Called only when no key is presented: false when the request carries no link (a key is then
     * required), true when its link is valid; it throws an AppError (403) for a bad link.
     */
    signedLink?: (request: FastifyRequest) => boolean;
  }
}

export interface AuthOptions {
  /** Resolves presented keys (and the keys dashboard cookies name) to principals. */
  keys: ApiKeyResolver;
  /** URL prefixes that need no key: health probes and the API docs must work without credentials. */
  publicPrefixes: readonly string[];
  /**
   * URL prefixes where HTTP Basic credentials (any user name, the key as password) are accepted too,
   * and a 401 asks the browser for them: pages opened in a browser cannot send X-API-Key.
   */
  basicAuthPrefixes?: readonly string[];
  /**
   * The dashboard cookie, accepted in place of a key under `prefixes` when the request presents no
   * key (a key, when present, wins: it is what a script or curl meant to use). Absent: nowhere.
   */
  dashboard?: { auth: DashboardAuth; prefixes: readonly string[] };
  /** Counts wrong keys per client address and blocks it past the limit. Absent: never limited. */
  failures?: AuthFailureLimit;
}

/** The route pattern whose `:id` is a session id, checked against the key's session by the hook. */
const SESSION_ROUTE = /^\/api\/sessions\/:id(\/|$)/;

function presentedKey(request: FastifyRequest, allowBasic = false): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  if (allowBasic && authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice('Basic '.length).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // The user name is ignored: the password is the key.
    const password = colon === -1 ? '' : decoded.slice(colon + 1);
    return password === '' ? undefined : password;
  }
  return undefined;
}

function matchesPrefix(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * Throws 403 FORBIDDEN unless the caller may act on `sessionId`: the admin always may, a session key
 * only on its own session. Routes outside `/api/sessions/:id` that touch one session's data (for
 * example GET /api/messages/:id) declare `config: { sessionAccess: 'resource' }` and call this
 * once they know which session the resource belongs to.
 */
export function assertSessionAccess(request: FastifyRequest, sessionId: string): void {
  const principal = request.principal;
  if (principal?.kind === 'admin') return;
  if (principal?.kind === 'session' && principal.sessionId === sessionId) return;
  throw new AppError('FORBIDDEN', 'this API key may not act on that session');
}

/** The session a listing must be narrowed to: the key's own one, or undefined (all) for the admin. */
export function sessionScope(request: FastifyRequest): string | undefined {
  return request.principal?.kind === 'session' ? request.principal.sessionId : undefined;
}

/** Throws 403 FORBIDDEN for anything but the admin. */
export function assertAdmin(request: FastifyRequest): void {
  if (request.principal?.kind !== 'admin') {
    throw new AppError('FORBIDDEN', 'this route needs the admin API key');
  }
}

function authorizeSessionKey(request: FastifyRequest, sessionId: string): void {
  const route = request.routeOptions.url ?? '';
  if (SESSION_ROUTE.test(route)) {
    const params = request.params as { id?: unknown };
    assertSessionAccess(request, String(params.id));
    return;
  }
  const access = request.routeOptions.config.sessionAccess;
  if (access === 'resource' || access === 'any') return;
  throw new AppError('FORBIDDEN', `a key of session ${sessionId} may not use ${request.method} ${route}`);
}

/**
 * Requires an API key (X-API-Key or Authorization: Bearer), or under the dashboard prefixes the
 * dashboard cookie, on every route except the public ones; resolves it to `request.principal` and
 * refuses session keys outside their session.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const basicPrefixes = options.basicAuthPrefixes ?? [];
  const dashboard = options.dashboard;

  async function authenticate(
    request: FastifyRequest,
    reply: FastifyReply,
    path: string,
    key: string | undefined,
  ): Promise<Principal> {
    if (key !== undefined) return options.keys.byKey(request, key);
    const cookie =
      dashboard && matchesPrefix(path, dashboard.prefixes) ? dashboardCookieOf(request) : undefined;
    if (dashboard && cookie !== undefined) return dashboard.auth.authenticate(request, reply, cookie);
    throw new AppError('UNAUTHORIZED', 'missing API key: send X-API-Key or Authorization: Bearer <key>');
  }

  app.addHook('onRequest', async (request, reply) => {
    // Unmatched routes fall through to the 404 handler: an unknown path is "not found" for everyone.
    if (request.routeOptions.url === undefined) return;
    const path = request.url.split('?')[0] ?? '';
    if (matchesPrefix(path, options.publicPrefixes)) return;
    const basic = matchesPrefix(path, basicPrefixes);
    let key: string | undefined;
    try {
      key = presentedKey(request, basic);
      // A valid link opens only the route that declares it, and leaves no principal behind.
      if (key === undefined && request.routeOptions.config.signedLink?.(request)) return;
      // A blocked address may not try even the right key: otherwise guessing would just go on.
      if (key !== undefined) options.failures?.assertAllowed(request);
      request.principal = await authenticate(request, reply, path, key);
      if (request.principal.kind === 'session') authorizeSessionKey(request, request.principal.sessionId);
    } catch (caught) {
      if (!isAppError(caught)) throw caught;
      let err = caught;
      // Only a wrong key counts: a missing one guesses nothing, and an expired dashboard cookie
      // polled by an open tab must not lock out its whole office.
      if (key !== undefined && err.code === 'UNAUTHORIZED')
        err = (await options.failures?.recordFailure(request)) ?? err;
      // Answered here rather than thrown: plugins with their own error handler (Bull Board) would
      // otherwise turn the 401/403 into their envelope.
      request.log.info({ code: err.code, reason: err.message }, 'request rejected');
      if (basic && err.code === 'UNAUTHORIZED') void reply.header('www-authenticate', 'Basic realm="wagw"');
      return sendError(reply, request, err);
    }
  });
}
