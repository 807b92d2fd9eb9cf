import { and, asc, eq, isNull } from 'drizzle-orm';
import { newId } from '../../ids.js';
import { apiKeys } from '../../schema/sqlite.js';
import type { ApiKey, ApiKeysRepository } from '../types.js';
import type { SqliteDb } from './db.js';

export function createSqliteApiKeysRepository(db: SqliteDb): ApiKeysRepository {
  return {
    async create(input) {
      const now = new Date();
      const row: ApiKey = {
        id: newId(now.getTime()),
        name: input.name,
        keyHash: input.keyHash,
        prefix: input.prefix,
        sessionId: input.sessionId ?? null,
        createdAt: now,
        lastUsedAt: null,
        revokedAt: null,
      };
      await db.insert(apiKeys).values(row);
      return row;
    },

    async findByHash(keyHash) {
      const row = await db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
        .get();
      return row ?? null;
    },

    async list(filter) {
      const where = filter?.sessionId === undefined ? undefined : eq(apiKeys.sessionId, filter.sessionId);
      return db.select().from(apiKeys).where(where).orderBy(asc(apiKeys.id));
    },

    async touch(id, at = new Date()) {
      await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
    },

    async revoke(id) {
      const rows = await db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      return rows.length > 0;
    },
  };
}
