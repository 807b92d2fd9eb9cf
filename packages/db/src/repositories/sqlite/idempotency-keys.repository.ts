import { and, eq, lt } from 'drizzle-orm';
import { idempotencyKeys } from '../../schema/sqlite.js';
import { idempotencyKeyRow } from '../shared.js';
import type { IdempotencyKeysRepository } from '../types.js';
import type { SqliteDb } from './db.js';

export function createSqliteIdempotencyKeysRepository(db: SqliteDb): IdempotencyKeysRepository {
  return {
    async begin(input) {
      const row = idempotencyKeyRow(input);
      // The unique (scope, key) index decides between concurrent claims: exactly one inserts.
      const inserted = db
        .insert(idempotencyKeys)
        .values(row)
        .onConflictDoNothing({ target: [idempotencyKeys.scope, idempotencyKeys.key] })
        .returning({ id: idempotencyKeys.id })
        .all();
      return inserted.length > 0 ? row : null;
    },

    async get(scope, key) {
      return (
        db
          .select()
          .from(idempotencyKeys)
          .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
          .get() ?? null
      );
    },

    async complete(id, response) {
      const rows = db
        .update(idempotencyKeys)
        .set({ status: 'completed', responseStatus: response.status, responseBody: response.body })
        .where(and(eq(idempotencyKeys.id, id), eq(idempotencyKeys.status, 'in_progress')))
        .returning({ id: idempotencyKeys.id })
        .all();
      return rows.length > 0;
    },

    async delete(id) {
      return db.delete(idempotencyKeys).where(eq(idempotencyKeys.id, id)).run().changes > 0;
    },

    async deleteExpired(now) {
      return db.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now)).run().changes;
    },
  };
}
