import { randomBytes } from 'node:crypto';
import { type ApiKey, type Database, hashApiKey } from '@wagw/db';
import { AppError } from '@wagw/errors';
import type { z } from 'zod';
import { requireSession } from '../../lib/session-guard.js';
import type { apiKeyView, CreateApiKeyInput } from './api-keys.schemas.js';

/** Every generated key starts with this, so leaked keys are easy to grep for (secret scanners). */
const API_KEY_PREFIX = 'wagw_';
/** Characters of the key kept in clear as its display prefix: `wagw_` and 8 random characters. */
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export interface ApiKeyServiceDeps {
  repos: Pick<Database['repos'], 'apiKeys' | 'sessions'>;
}

/** A new random key: 32 bytes (256 bits) of entropy, base64url so it fits in headers unescaped. */
function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Stored API keys: created (shown once, stored as sha256), listed, revoked. */
export function createApiKeyService(deps: ApiKeyServiceDeps) {
  const { apiKeys, sessions } = deps.repos;

  async function create(input: CreateApiKeyInput) {
    if (input.sessionId !== null) await requireSession(sessions, input.sessionId);
    const key = generateApiKey();
    const prefix = key.slice(0, DISPLAY_PREFIX_LENGTH);
    const stored = await apiKeys.create({
      name: input.name,
      keyHash: hashApiKey(key),
      prefix,
      sessionId: input.sessionId,
    });
    return { id: stored.id, key, prefix, sessionId: stored.sessionId };
  }

  async function revoke(id: string): Promise<void> {
    if (!(await apiKeys.revoke(id))) {
      throw new AppError('NOT_FOUND', `API key ${id} not found or already revoked`);
    }
  }

  return {
    create,
    revoke,
    list: (sessionId?: string) => apiKeys.list(sessionId === undefined ? undefined : { sessionId }),
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;

/** The public shape of a stored key: never its hash. */
export function toApiKeyView(key: ApiKey): z.infer<typeof apiKeyView> {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    sessionId: key.sessionId,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
