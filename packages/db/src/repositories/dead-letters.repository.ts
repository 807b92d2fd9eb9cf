import { and, asc, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import type { DeadLettersRepository, WebhookDeadLetter } from './repository-types.js';
import { byId, clampLimit, deadLetterCounts, deadLetterRow, idPage } from './row-builders.js';

export function createDeadLettersRepository(x: Executor): DeadLettersRepository {
  const { webhookDeadLetters: dl } = x.tables;
  const target = (t: { id: string } | { webhookId: string }) =>
    'id' in t ? eq(dl.id, t.id) : eq(dl.webhookId, t.webhookId);

  return {
    async record(input) {
      // One statement: the unique (event_id, webhook_id) index turns a repeated failure into an update.
      const row = await x.first(
        x.db
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
          .returning(),
      );
      if (!row) throw new Error('dead letter upsert returned no row');
      return row;
    },

    getById(id) {
      return x.first(x.db.select().from(dl).where(eq(dl.id, id)).limit(1));
    },

    async list(q) {
      const limit = clampLimit(q.limit);
      const rows: WebhookDeadLetter[] = await x.all(
        x.db
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
          .limit(limit + 1),
      );
      return idPage(rows, limit);
    },

    async markReplaying(t) {
      const rows = await x.all(
        x.db
          .update(dl)
          .set({ status: 'replaying', replayCount: sql`${dl.replayCount} + 1`, updatedAt: new Date() })
          .where(and(target(t), eq(dl.status, 'dead')))
          .returning(),
      );
      return byId(rows);
    },

    async revertReplaying(id) {
      const rows = await x.all(
        x.db
          .update(dl)
          .set({ status: 'dead', updatedAt: new Date() })
          .where(and(eq(dl.id, id), eq(dl.status, 'replaying')))
          .returning({ id: dl.id }),
      );
      return rows.length > 0;
    },

    async resolve(eventId, webhookId) {
      const rows = await x.all(
        x.db
          .delete(dl)
          .where(and(eq(dl.eventId, eventId), eq(dl.webhookId, webhookId)))
          .returning({ id: dl.id }),
      );
      return rows.length > 0;
    },

    async discard(t) {
      const rows = await x.all(x.db.delete(dl).where(target(t)).returning({ id: dl.id }));
      return rows.length;
    },

    async deleteOlderThan(cutoff, limit) {
      const old = x.db
        .select({ id: dl.id })
        .from(dl)
        .where(lt(dl.updatedAt, cutoff))
        .orderBy(asc(dl.updatedAt))
        .limit(limit);
      const rows = await x.all(x.db.delete(dl).where(inArray(dl.id, old)).returning({ id: dl.id }));
      return rows.length;
    },

    async countByStatus(webhookId) {
      const rows = await x.all(
        x.db
          .select({ status: dl.status, n: count() })
          .from(dl)
          .where(webhookId === undefined ? undefined : eq(dl.webhookId, webhookId))
          .groupBy(dl.status),
      );
      return deadLetterCounts(rows);
    },
  };
}
