import { and, count, desc, eq, lt, sql } from 'drizzle-orm';
import { webhookDeadLetters as dl } from '../../schema/sqlite.js';
import { byId, clampLimit, deadLetterCounts, deadLetterRow, idPage } from '../shared.js';
import type { DeadLettersRepository, WebhookDeadLetter } from '../types.js';
import type { SqliteDb } from './db.js';

export function createSqliteDeadLettersRepository(db: SqliteDb): DeadLettersRepository {
  const target = (t: { id: string } | { webhookId: string }) =>
    'id' in t ? eq(dl.id, t.id) : eq(dl.webhookId, t.webhookId);

  return {
    async record(input) {
      // One statement: the unique (event_id, webhook_id) index turns a repeated failure into an update.
      const rows = db
        .insert(dl)
        .values(deadLetterRow(input))
        .onConflictDoUpdate({
          target: [dl.eventId, dl.webhookId],
          set: {
            attempts: sql`${dl.attempts} + excluded.attempts`,
            lastStatus: sql`excluded.last_status`,
            lastResponse: sql`excluded.last_response`,
            lastError: sql`excluded.last_error`,
            status: 'dead',
            updatedAt: sql`excluded.updated_at`,
          },
        })
        .returning()
        .all();
      return rows[0]!;
    },

    async getById(id) {
      return db.select().from(dl).where(eq(dl.id, id)).get() ?? null;
    },

    async list(q) {
      const limit = clampLimit(q.limit);
      const rows: WebhookDeadLetter[] = db
        .select()
        .from(dl)
        .where(
          and(
            q.webhookId ? eq(dl.webhookId, q.webhookId) : undefined,
            q.sessionId ? eq(dl.sessionId, q.sessionId) : undefined,
            q.status ? eq(dl.status, q.status) : undefined,
            q.cursor ? lt(dl.id, q.cursor) : undefined,
          ),
        )
        .orderBy(desc(dl.id))
        .limit(limit + 1)
        .all();
      return idPage(rows, limit);
    },

    async markReplaying(t) {
      const rows = db
        .update(dl)
        .set({ status: 'replaying', replayCount: sql`${dl.replayCount} + 1`, updatedAt: new Date() })
        .where(and(target(t), eq(dl.status, 'dead')))
        .returning()
        .all();
      return byId(rows);
    },

    async revertReplaying(id) {
      return (
        db
          .update(dl)
          .set({ status: 'dead', updatedAt: new Date() })
          .where(and(eq(dl.id, id), eq(dl.status, 'replaying')))
          .run().changes > 0
      );
    },

    async resolve(eventId, webhookId) {
      return (
        db
          .delete(dl)
          .where(and(eq(dl.eventId, eventId), eq(dl.webhookId, webhookId)))
          .run().changes > 0
      );
    },

    async discard(t) {
      return db.delete(dl).where(target(t)).run().changes;
    },

    async countByStatus(webhookId) {
      const rows = db
        .select({ status: dl.status, n: count() })
        .from(dl)
        .where(webhookId === undefined ? undefined : eq(dl.webhookId, webhookId))
        .groupBy(dl.status)
        .all();
      return deadLetterCounts(rows);
    },
  };
}
