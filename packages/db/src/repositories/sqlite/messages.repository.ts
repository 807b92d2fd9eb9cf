import { and, asc, count, desc, eq, gt, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import { messages } from '../../schema/sqlite.js';
import {
  batchCounts,
  CANCELLED_REASON,
  chunk,
  clampLimit,
  IN_LIST_CHUNK,
  INSERT_CHUNK_ROWS,
  idPage,
  MAX_QUEUED_PAGE,
  messageCounts,
  messageRow,
  statusTimestampColumn,
} from '../shared.js';
import type { Message, MessagesRepository } from '../types.js';
import { type SqliteDb, WRITE_TX } from './db.js';

export function createSqliteMessagesRepository(db: SqliteDb): MessagesRepository {
  return {
    async insert(input) {
      const row = messageRow(input);
      await db.insert(messages).values(row);
      return row;
    },

    async insertMany(inputs) {
      const now = new Date();
      const rows = inputs.map((input) => messageRow(input, now));
      db.transaction((tx) => {
        for (const part of chunk(rows, INSERT_CHUNK_ROWS)) tx.insert(messages).values(part).run();
      }, WRITE_TX);
      return rows;
    },

    async getById(id) {
      return (await db.select().from(messages).where(eq(messages.id, id)).get()) ?? null;
    },

    async getByWaId(sessionId, waMessageId) {
      return (
        (await db
          .select()
          .from(messages)
          .where(and(eq(messages.sessionId, sessionId), eq(messages.waMessageId, waMessageId)))
          .get()) ?? null
      );
    },

    async updateStatus(id, status, reason, opts) {
      const expected = opts?.expectedFrom === undefined ? undefined : [opts.expectedFrom].flat();
      const now = new Date();
      const column = statusTimestampColumn(status);
      const rows = await db
        .update(messages)
        .set({
          status,
          statusReason: reason ?? null,
          updatedAt: now,
          // Raw SQL bypasses the column's Date mapping, hence epoch ms here (pg passes the Date).
          ...(column ? { [column]: sql`coalesce(${messages[column]}, ${now.getTime()})` } : {}),
          ...(status === 'sending' ? { attempts: sql`${messages.attempts} + 1` } : {}),
        })
        .where(and(eq(messages.id, id), expected ? inArray(messages.status, expected) : undefined))
        .returning();
      return rows[0] ?? null;
    },

    async listBySession(q) {
      const limit = clampLimit(q.limit);
      const items: Message[] = await db
        .select()
        .from(messages)
        .where(
          and(
            eq(messages.sessionId, q.sessionId),
            q.status ? eq(messages.status, q.status) : undefined,
            q.direction ? eq(messages.direction, q.direction) : undefined,
            q.before ? lt(messages.createdAt, q.before) : undefined,
            q.after ? gt(messages.createdAt, q.after) : undefined,
            q.cursor ? lt(messages.id, q.cursor) : undefined,
          ),
        )
        .orderBy(desc(messages.id))
        .limit(limit + 1);
      return idPage(items, limit);
    },

    async insertInboundIgnoringDuplicates(input) {
      const rows = await db
        .insert(messages)
        .values(messageRow(input))
        .onConflictDoNothing({ target: [messages.sessionId, messages.waMessageId] })
        .returning({ id: messages.id });
      return rows.length > 0;
    },

    async countByStatus(sessionId) {
      const rows = await db
        .select({ status: messages.status, n: count() })
        .from(messages)
        .where(sessionId ? eq(messages.sessionId, sessionId) : undefined)
        .groupBy(messages.status);
      return messageCounts(rows);
    },
    async countByBatch(batchId) {
      const rows = await db
        .select({ sessionId: messages.sessionId, status: messages.status, n: count() })
        .from(messages)
        .where(eq(messages.batchId, batchId))
        .groupBy(messages.sessionId, messages.status);
      return batchCounts(batchId, rows);
    },

    async hasUnsettledInBatch(batchId) {
      const row = db
        .select({ one: sql<number>`1` })
        .from(messages)
        .where(and(eq(messages.batchId, batchId), inArray(messages.status, ['queued', 'sending'])))
        .limit(1)
        .get();
      return row !== undefined;
    },

    async cancelQueued(target) {
      const now = new Date();
      const cancel = (where: SQL | undefined) =>
        db
          .update(messages)
          .set({ status: 'cancelled', statusReason: CANCELLED_REASON, updatedAt: now })
          .where(and(eq(messages.status, 'queued'), where))
          .returning({ id: messages.id })
          .all()
          .map((row) => row.id);
      if ('batchId' in target) return cancel(eq(messages.batchId, target.batchId));
      return db.transaction(
        () =>
          chunk([...new Set(target.ids)], IN_LIST_CHUNK).flatMap((part) =>
            cancel(inArray(messages.id, part)),
          ),
        WRITE_TX,
      );
    },

    async listQueuedBefore(olderThan, limit, afterId) {
      return db
        .select()
        .from(messages)
        .where(
          and(
            // `sending` too: a worker that died (or lost Redis) mid-send leaves the row there.
            or(
              and(eq(messages.status, 'queued'), lt(messages.createdAt, olderThan)),
              and(eq(messages.status, 'sending'), lt(messages.updatedAt, olderThan)),
            ),
            eq(messages.direction, 'outbound'),
            afterId ? gt(messages.id, afterId) : undefined,
          ),
        )
        .orderBy(asc(messages.id))
        .limit(clampLimit(limit, MAX_QUEUED_PAGE));
    },
  };
}
