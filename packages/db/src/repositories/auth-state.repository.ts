import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import type { AuthStateRepository, OwnerFence } from './repository-types.js';
import { chunk, groupIdsByType, IN_LIST_CHUNK, INSERT_CHUNK_ROWS, splitKeyWrites } from './row-builders.js';

export function createAuthStateRepository(x: Executor): AuthStateRepository {
  const { authCreds, authKeys } = x.tables;
  return {
    getCreds(sessionId) {
      return x.first(x.db.select().from(authCreds).where(eq(authCreds.sessionId, sessionId)).limit(1));
    },

    async saveCreds(sessionId, credsText, fence) {
      const now = new Date();
      const upsert = (tx: Executor) =>
        tx.run(
          tx.db
            .insert(authCreds)
            .values({ sessionId, creds: credsText, updatedAt: now })
            .onConflictDoUpdate({ target: authCreds.sessionId, set: { creds: credsText, updatedAt: now } }),
        );
      if (!fence) {
        await upsert(x);
        return true;
      }
      return x.transaction(async (tx) => {
        if (await supersededIn(tx, sessionId, fence)) return false;
        await upsert(tx);
        return true;
      });
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

    async setKeys(sessionId, writes, fence) {
      const { upserts, deletes } = splitKeyWrites(writes);
      const now = new Date();
      // One transaction per keys.set: Baileys expects a signal-store write to land whole.
      return x.transaction(async (tx) => {
        if (await supersededIn(tx, sessionId, fence)) return false;
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
        return true;
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

/**
 * Inside the write's transaction: has a newer claim than `fence` been recorded? PostgreSQL locks
 * the session row until the write commits, so a claim (setOwner) waits for it and the new owner
 * loads state that includes it, or the claim came first and this sees it. SQLite's write
 * transaction already excludes the claim; the read is a kept statement (one per Signal write).
 */
async function supersededIn(tx: Executor, sessionId: string, fence: OwnerFence | undefined) {
  if (!fence) return false;
  const { sessions } = tx.tables;
  const row =
    tx.dialect === 'sqlite'
      ? (
          await tx.prepared(
            'sessions.leaseGeneration',
            (db, p) =>
              db
                .select({ generation: sessions.leaseGeneration })
                .from(sessions)
                .where(eq(sessions.id, p<string>('id')))
                .limit(1),
            { id: sessionId },
          )
        )[0]
      : await tx.first(
          tx.forUpdate(
            tx.db
              .select({ generation: sessions.leaseGeneration })
              .from(sessions)
              .where(eq(sessions.id, sessionId))
              .limit(1),
          ),
        );
  return row != null && row.generation > fence.generation;
}

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
