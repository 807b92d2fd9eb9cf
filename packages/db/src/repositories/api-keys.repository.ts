import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import { newId } from '../ids.js';
import type { ApiKey, ApiKeysRepository } from './repository-types.js';

export function createApiKeysRepository(x: Executor): ApiKeysRepository {
  const { apiKeys } = x.tables;
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
      await x.run(x.db.insert(apiKeys).values(row));
      return row;
    },

    findByHash(keyHash) {
      return x.first(
        x.db
          .select()
          .from(apiKeys)
          .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
          .limit(1),
      );
    },

    findActiveById(id) {
      return x.first(
        x.db
          .select()
          .from(apiKeys)
          .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
          .limit(1),
      );
    },

    list(filter) {
      const where = filter?.sessionId === undefined ? undefined : eq(apiKeys.sessionId, filter.sessionId);
      return x.all(x.db.select().from(apiKeys).where(where).orderBy(asc(apiKeys.id)));
    },

    async touch(id, at = new Date()) {
      await x.run(x.db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id)));
    },

    async revoke(id) {
      const rows = await x.all(
        x.db
          .update(apiKeys)
          .set({ revokedAt: new Date() })
          .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
          .returning({ id: apiKeys.id }),
      );
      return rows.length > 0;
    },
  };
}
