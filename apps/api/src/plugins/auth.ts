import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@wagw/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface AuthOptions {
  /** The admin key from config (API_KEY). */
  adminKey: string;
  /** URL prefixes that need no key: health probes must work without credentials. */
  publicPrefixes: readonly string[];
}

export type Principal = { kind: 'admin' };

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Comparing fixed-length digests keeps the check constant-time whatever the presented key's length. */
export function keysMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  return undefined;
}

/** Requires an API key (X-API-Key or Authorization: Bearer) on every route except the public ones. */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const expected = options.adminKey;
  app.addHook('onRequest', async (request) => {
    // Unmatched routes fall through to the 404 handler: an unknown path is "not found" for everyone.
    if (request.routeOptions.url === undefined) return;
    const path = request.url.split('?')[0] ?? '';
    if (options.publicPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return;
    const key = presentedKey(request);
    if (key === undefined) {
      throw new AppError('UNAUTHORIZED', 'missing API key: send X-API-Key or Authorization: Bearer <key>');
    }
    if (!keysMatch(key, expected)) throw new AppError('UNAUTHORIZED', 'invalid API key');
    request.principal = { kind: 'admin' };
  });
}
