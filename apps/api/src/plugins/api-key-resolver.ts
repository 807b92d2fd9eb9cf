import { createHash, timingSafeEqual } from 'node:crypto';
import { type ApiKey, type ApiKeysRepository, hashApiKey } from '@wagw/db';
import { AppError } from '@wagw/errors';
import type { FastifyRequest } from 'fastify';

/**
 * Who is calling. The admin (config API_KEY, or a stored key without a session) may do anything;
 * a session key may act only on its own session. A dashboard cookie resolves to the principal of
 * the key that signed in, so it grants exactly what that key grants.
 */
export type Principal =
  | { kind: 'admin' /** Set for stored admin keys; absent for the config API_KEY. */; keyId?: string }
  | { kind: 'session'; sessionId: string; keyId: string };

export interface ApiKeyResolverOptions {
  /** The admin key from config (API_KEY). */
  adminKey: string;
  /** Stored keys (admin keys without a session, per-session keys). */
  apiKeys: Pick<ApiKeysRepository, 'findByHash' | 'findActiveById' | 'touch'>;
  /** How often at most last_used_at is written per key. Default 60000 ms (not on every request). */
  touchIntervalMs?: number;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Comparing fixed-length digests keeps the check constant-time whatever the presented key's length. */
export function keysMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

function principalOf(stored: ApiKey): Principal {
  return stored.sessionId === null
    ? { kind: 'admin', keyId: stored.id }
    : { kind: 'session', sessionId: stored.sessionId, keyId: stored.id };
}

/**
 * Turns a presented key (a header, or the sign-in form) or the key id a dashboard cookie names into
 * a principal, and keeps the stored keys' last_used_at roughly current.
 */
export function createApiKeyResolver(options: ApiKeyResolverOptions) {
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

  return {
    /** The principal of a presented key; 401 UNAUTHORIZED when it is neither API_KEY nor stored. */
    async byKey(request: FastifyRequest, key: string): Promise<Principal> {
      if (keysMatch(key, options.adminKey)) return { kind: 'admin' };
      const stored = await options.apiKeys.findByHash(hashApiKey(key));
      if (!stored) throw new AppError('UNAUTHORIZED', 'invalid API key');
      touchLater(request, stored);
      return principalOf(stored);
    },

    /** The principal of a stored key by id, or null when it is gone or revoked. */
    async byStoredId(request: FastifyRequest, keyId: string): Promise<Principal | null> {
      const stored = await options.apiKeys.findActiveById(keyId);
      if (!stored) return null;
      touchLater(request, stored);
      return principalOf(stored);
    },
  };
}

export type ApiKeyResolver = ReturnType<typeof createApiKeyResolver>;
