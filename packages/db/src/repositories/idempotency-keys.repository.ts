import { and, eq, inArray, lt } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import { placeholdersFor, rowKey } from './insert-full-row.js';
import type { IdempotencyKeysRepository } from './repository-types.js';
import { idempotencyKeyRow } from './row-builders.js';

export function createIdempotencyKeysRepository(x: Executor): IdempotencyKeysRepository {
  const { idempotencyKeys: keys } = x.tables;
  return {
    async begin(input) {
      const row = idempotencyKeyRow(input);
      // The unique (scope, key) index decides between concurrent claims: exactly one inserts.
      const inserted = await x.prepared(
        rowKey('idempotencyKeys', row),
        (db, p) =>
          db
            .insert(keys)
            .values(placeholdersFor(row, p))
            .onConflictDoNothing({ target: [keys.scope, keys.key] })
            .returning({ id: keys.id }),
        row,
      );
      return inserted.length > 0 ? row : null;
    },

    get(scope, key) {
      return x.first(
        x.db
          .select()
          .from(keys)
          .where(and(eq(keys.scope, scope), eq(keys.key, key)))
          .limit(1),
      );
    },

    async complete(id, response) {
      const rows = await x.all(
        x.db
          .update(keys)
          .set({ status: 'completed', responseStatus: response.status, responseBody: response.body })
          .where(and(eq(keys.id, id), eq(keys.status, 'in_progress')))
          .returning({ id: keys.id }),
      );
      return rows.length > 0;
    },

    async delete(id) {
      const rows = await x.all(x.db.delete(keys).where(eq(keys.id, id)).returning({ id: keys.id }));
      return rows.length > 0;
    },

    async deleteExpired(now, limit) {
      const expired = lt(keys.expiresAt, now);
      // A bounded batch: the ids of at most `limit` expired rows (expires_at is indexed).
      const where =
        limit === undefined
          ? expired
          : inArray(keys.id, x.db.select({ id: keys.id }).from(keys).where(expired).limit(limit));
      const rows = await x.all(x.db.delete(keys).where(where).returning({ id: keys.id }));
      return rows.length;
    },
  };
}
