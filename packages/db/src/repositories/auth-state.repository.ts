import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import type { AuthStateRepository } from './repository-types.js';
import { chunk, groupIdsByType, IN_LIST_CHUNK, INSERT_CHUNK_ROWS, splitKeyWrites } from './row-builders.js';

export function createAuthStateRepository(x: Executor): AuthStateRepository {
  const { authCreds, authKeys } = x.tables;
  return {
    getCreds(sessionId) {
      return x.first(x.db.select().from(authCreds).where(eq(authCreds.sessionId, sessionId)).limit(1));
    },

    async saveCreds(sessionId, credsText) {
      const now = new Date();
      await x.run(
        x.db
          .insert(authCreds)
          .values({ sessionId, creds: credsText, updatedAt: now })
          .onConflictDoUpdate({ target: authCreds.sessionId, set: { creds: credsText, updatedAt: now } }),
      );
    },

    async getKeys(sessionId, type, ids) {
      const out: Record<string, string> = {};
      for (const part of chunk([...new Set(ids)], IN_LIST_CHUNK)) {
        const rows = await x.all(
          x.db
            .select({ id: authKeys.keyId, value: authKeys.value })
            .from(authKeys)
            .where(
              and(eq(authKeys.sessionId, sessionId), eq(authKeys.type, type), inArray(authKeys.keyId, part)),
            ),
        );
        for (const row of rows) out[row.id] = row.value;
      }
      return out;
    },

    async setKeys(sessionId, writes) {
      const { upserts, deletes } = splitKeyWrites(writes);
      const now = new Date();
      // One transaction per keys.set: Baileys expects a signal-store write to land whole.
      await x.transaction(async (tx) => {
        // SQLite runs in this process: one kept single-row statement bound per row costs
        // microseconds, where building the SQL of a statement for these rows cost ~0.6 ms per
        // message sent (Baileys writes a session record or two per message; docs/benchmarks.md).
        // On PostgreSQL every statement is a round trip, so rows go in chunks.
        if (tx.dialect === 'sqlite' || upserts.length === 1) {
          for (const w of upserts) {
            await tx.prepared(
              'authKeys.upsertOne',
              (db, p) =>
                db
                  .insert(authKeys)
                  .values({
                    sessionId: p<string>('sessionId'),
                    type: p<string>('type'),
                    keyId: p<string>('keyId'),
                    value: p<string>('value'),
                    updatedAt: p<Date>('now'),
                  })
                  .onConflictDoUpdate(newestWins(tx)),
              { sessionId, type: w.type, keyId: w.id, value: w.value, now },
            );
          }
        } else {
          await upsertInChunks(tx, sessionId, upserts, now);
        }
        for (const [type, ids] of groupIdsByType(deletes)) {
          for (const part of chunk(ids, IN_LIST_CHUNK)) {
            await tx.run(
              tx.db
                .delete(authKeys)
                .where(
                  and(
                    eq(authKeys.sessionId, sessionId),
                    eq(authKeys.type, type),
                    inArray(authKeys.keyId, part),
                  ),
                ),
            );
          }
        }
      });
    },

    async clear(sessionId) {
      await x.transaction(async (tx) => {
        await tx.run(tx.db.delete(authKeys).where(eq(authKeys.sessionId, sessionId)));
        await tx.run(tx.db.delete(authCreds).where(eq(authCreds.sessionId, sessionId)));
      });
    },

    async quarantine(sessionId, reason) {
      const now = new Date();
      const rows = await x.all(
        x.db
          .update(authCreds)
          .set({ quarantinedAt: now, quarantineReason: reason, updatedAt: now })
          .where(eq(authCreds.sessionId, sessionId))
          .returning({ id: authCreds.sessionId }),
      );
      return rows.length > 0;
    },
  };
}

type KeyUpsert = ReturnType<typeof splitKeyWrites>['upserts'][number];

/** A key written again takes the new value: what a Signal key store write means. */
function newestWins(tx: Executor) {
  const { authKeys } = tx.tables;
  return {
    target: [authKeys.sessionId, authKeys.type, authKeys.keyId],
    set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` },
  };
}

async function upsertInChunks(tx: Executor, sessionId: string, upserts: KeyUpsert[], now: Date) {
  const { authKeys } = tx.tables;
  for (const part of chunk(upserts, INSERT_CHUNK_ROWS)) {
    await tx.run(
      tx.db
        .insert(authKeys)
        .values(part.map((w) => ({ sessionId, type: w.type, keyId: w.id, value: w.value, updatedAt: now })))
        .onConflictDoUpdate(newestWins(tx)),
    );
  }
}
