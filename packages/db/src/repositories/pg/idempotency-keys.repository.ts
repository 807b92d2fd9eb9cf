import { and, eq, lt } from 'drizzle-orm';
import { idempotencyKeys } from '../../schema/pg.js';
import { idempotencyKeyRow } from '../shared.js';
import type { IdempotencyKeysRepository } from '../types.js';
import type { PgDb } from './db.js';

export function createPgIdempotencyKeysRepository(db: PgDb): IdempotencyKeysRepository {
  return {
    async begin(input) {
      const row = idempotencyKeyRow(input);
      // The unique (scope, key) index decides between concurrent claims: exactly one inserts.
      const inserted = await db
        .insert(idempotencyKeys)
        .values(row)
        .onConflictDoNothing({ target: [idempotencyKeys.scope, idempotencyKeys.key] })
        .returning({ id: idempotencyKeys.id });
      return inserted.length > 0 ? row : null;
    },

    async get(scope, key) {
      const rows = await db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
        .limit(1);
      return rows[0] ?? null;
    },

    async complete(id, response) {
      const rows = await db
        .update(idempotencyKeys)
        .set({ status: 'completed', responseStatus: response.status, responseBody: response.body })
        .where(and(eq(idempotencyKeys.id, id), eq(idempotencyKeys.status, 'in_progress')))
        .returning({ id: idempotencyKeys.id });
      return rows.length > 0;
    },

    async delete(id) {
      const rows = await db
        .delete(idempotencyKeys)
        .where(eq(idempotencyKeys.id, id))
        .returning({ id: idempotencyKeys.id });
      return rows.length > 0;
    },

    async deleteExpired(now) {
      const rows = await db
        .delete(idempotencyKeys)
        .where(lt(idempotencyKeys.expiresAt, now))
        .returning({ id: idempotencyKeys.id });
      return rows.length;
    },
  };
}
