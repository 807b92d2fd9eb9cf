import { createHash, timingSafeEqual } from 'node:crypto';
import { type ApiKey, type ApiKeysRepository, hashApiKey } from '@wagw/db';
import { AppError, isAppError } from '@wagw/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from './error-handler.js';

/**
 * Who is calling. The admin (config API_KEY, or a stored key without a session) may do anything;
 * a session key may act only on its own session.
 */
type Principal =
  | { kind: 'admin' /** Set for stored admin keys; absent for the config API_KEY. */; keyId?: string }
  | { kind: 'session'; sessionId: string; keyId: string };

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
  /** The admin key from config (API_KEY). */
  adminKey: string;
  /** Stored keys (admin keys without a session, per-session keys), looked up by their sha256. */
  apiKeys: Pick<ApiKeysRepository, 'findByHash' | 'touch'>;
  /** URL prefixes that need no key: health probes and the API docs must work without credentials. */
  publicPrefixes: readonly string[];
  /**
   * URL prefixes where HTTP Basic credentials (any user name, the key as password) are accepted too,
   * and a 401 asks the browser for them: pages opened in a browser cannot send X-API-Key.
   */
  basicAuthPrefixes?: readonly string[];
  /** How often at most last_used_at is written per key. Default 60000 ms (not on every request). */
  touchIntervalMs?: number;
}

/** The route pattern whose `:id` is a session id, checked against the key's session by the hook. */
const SESSION_ROUTE = /^\/api\/sessions\/:id(\/|$)/;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Comparing fixed-length digests keeps the check constant-time whatever the presented key's length. */
export function keysMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

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
 * Requires an API key (X-API-Key or Authorization: Bearer) on every route except the public ones,
 * resolves it to `request.principal` and refuses session keys outside their session.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const expected = options.adminKey;
  const basicPrefixes = options.basicAuthPrefixes ?? [];
  const touchIntervalMs = options.touchIntervalMs ?? 60_000;
  // Per replica: keys whose last_used_at this process wrote recently (or is writing right now).
  const touchedAt = new Map<string, number>();

  function touchLater(request: FastifyRequest, key: ApiKey): void {
    const now = Date.now();
    const last = Math.max(touchedAt.get(key.id) ?? 0, key.lastUsedAt?.getTime() ?? 0);
    if (now - last < touchIntervalMs) return;
    touchedAt.set(key.id, now);
    // Bookkeeping must never fail or slow a request: written after it, errors only logged.
    options.apiKeys.touch(key.id, new Date(now)).catch((err: unknown) => {
      request.log.warn({ err, keyId: key.id }, 'api key last_used_at update failed');
    });
    // Bounded: entries older than the interval carry no information any more.
    if (touchedAt.size > 10_000) {
      for (const [id, at] of touchedAt) if (now - at >= touchIntervalMs) touchedAt.delete(id);
    }
  }

  async function authenticate(request: FastifyRequest, key: string): Promise<Principal> {
    if (keysMatch(key, expected)) return { kind: 'admin' };
    const stored = await options.apiKeys.findByHash(hashApiKey(key));
    if (!stored) throw new AppError('UNAUTHORIZED', 'invalid API key');
    touchLater(request, stored);
    return stored.sessionId === null
      ? { kind: 'admin', keyId: stored.id }
      : { kind: 'session', sessionId: stored.sessionId, keyId: stored.id };
  }

  app.addHook('onRequest', async (request, reply) => {
    // Unmatched routes fall through to the 404 handler: an unknown path is "not found" for everyone.
    if (request.routeOptions.url === undefined) return;
    const path = request.url.split('?')[0] ?? '';
    if (matchesPrefix(path, options.publicPrefixes)) return;
    const basic = matchesPrefix(path, basicPrefixes);
    try {
      const key = presentedKey(request, basic);
      // A valid link opens only the route that declares it, and leaves no principal behind.
      if (key === undefined && request.routeOptions.config.signedLink?.(request)) return;
      if (key === undefined) {
        throw new AppError('UNAUTHORIZED', 'missing API key: send X-API-Key or Authorization: Bearer <key>');
      }
      request.principal = await authenticate(request, key);
      if (request.principal.kind === 'session') authorizeSessionKey(request, request.principal.sessionId);
    } catch (err) {
      if (!isAppError(err)) throw err;
      // Answered here rather than thrown: plugins with their own error handler (Bull Board) would
      // otherwise turn the 401/403 into their envelope.
      request.log.info({ code: err.code, reason: err.message }, 'request rejected');
      if (basic && err.code === 'UNAUTHORIZED') void reply.header('www-authenticate', 'Basic realm="wagw"');
      return sendError(reply, request, err);
    }
  });
}
