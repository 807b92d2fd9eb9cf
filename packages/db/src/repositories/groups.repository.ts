import { and, asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import { addOutboxEvents } from './event-outbox.repository.js';
import type { GroupRow, GroupsRepository } from './repository-types.js';
import { chunk, INSERT_CHUNK_ROWS } from './row-builders.js';

const now = () => new Date();

export function createGroupsRepository(x: Executor): GroupsRepository {
  const { groups } = x.tables;
  const row = (sessionId: string, jid: string) => and(eq(groups.sessionId, sessionId), eq(groups.jid, jid));

  return {
    async upsertMany(sessionId, input, opts) {
      if (input.length === 0 && !opts?.events?.length) return;
      const at = now();
      // The last of a batch wins for a group named twice (one INSERT cannot touch a row twice).
      const byJid = new Map(input.map((g) => [g.jid, g]));
      const rows = [...byJid.values()].map((g) => ({
        sessionId,
        jid: g.jid,
        subject: g.subject,
        metadata: g.metadata,
        updatedAt: at,
      }));
      await x.transaction(async (tx) => {
        for (const part of chunk(rows, INSERT_CHUNK_ROWS)) {
          await tx.run(
            tx.db
              .insert(groups)
              .values(part)
              .onConflictDoUpdate({
                target: [groups.sessionId, groups.jid],
                set: {
                  subject: sql`excluded.subject`,
                  metadata: sql`excluded.metadata`,
                  updatedAt: sql`excluded.updated_at`,
                },
              }),
          );
        }
        if (opts?.events) await addOutboxEvents(tx, opts.events, at);
      });
    },

    async get(sessionId, jid) {
      const rows: GroupRow[] = await x.all(x.db.select().from(groups).where(row(sessionId, jid)).limit(1));
      return rows[0] ?? null;
    },

    listBySession(sessionId) {
      return x.all(
        x.db.select().from(groups).where(eq(groups.sessionId, sessionId)).orderBy(asc(groups.jid)),
      );
    },

    remove(sessionId, jid, opts) {
      return x.transaction(async (tx) => {
        const gone: unknown[] = await tx.all(
          tx.db.delete(groups).where(row(sessionId, jid)).returning({ jid: groups.jid }),
        );
        if (opts?.events) await addOutboxEvents(tx, opts.events, now());
        return gone.length > 0;
      });
    },
  };
}
