import { and, asc, count, desc, eq, gt, gte, inArray, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import { countBatch, settleBatch } from './batch-settlement.js';
import { addOutboxEvents } from './event-outbox.repository.js';
import { IdempotencyClaimLostError } from './idempotency-claim.js';
import { insertFullRow } from './insert-full-row.js';
import { createMessageCounts } from './message-counts.js';
import type { IdempotencyCommit, Message, MessagesRepository } from './repository-types.js';
import {
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
} from './row-builders.js';

/** Completes an in-progress Idempotency-Key claim inside the caller's transaction, or fails it. */
async function completeIdempotencyKey(tx: Executor, commit: IdempotencyCommit): Promise<void> {
  const { idempotencyKeys: keys } = tx.tables;
  const done = await tx.prepared(
    'idempotencyKeys.complete',
    (db, p) =>
      db
        .update(keys)
        .set({
          status: 'completed',
          responseStatus: p<number>('status'),
          responseBody: p<IdempotencyCommit['body']>('body'),
        })
        .where(and(eq(keys.id, p<string>('id')), eq(keys.status, 'in_progress')))
        .returning({ id: keys.id }),
    { status: commit.status, body: commit.body, id: commit.keyId },
  );
  if (done.length === 0) throw new IdempotencyClaimLostError(commit.keyId);
}

export function createMessagesRepository(x: Executor): MessagesRepository {
  const { messages } = x.tables;
  return {
    ...createMessageCounts(x),

    async insert(input, options) {
      const row = messageRow(input);
      const commit = options?.idempotency;
      if (!commit) {
        await insertFullRow(x, row);
        return row;
      }
      await x.transaction(async (tx) => {
        await insertFullRow(tx, row);
        await completeIdempotencyKey(tx, commit);
      });
      return row;
    },

    async insertMany(inputs, options) {
      const now = new Date();
      const rows = inputs.map((input) => messageRow(input, now));
      await x.transaction(async (tx) => {
        for (const part of chunk(rows, INSERT_CHUNK_ROWS)) await tx.run(tx.db.insert(messages).values(part));
        if (options?.idempotency) await completeIdempotencyKey(tx, options.idempotency);
      });
      return rows;
    },

    async getById(id) {
      const rows = await x.prepared(
        'messages.getById',
        (db, p) =>
          db
            .select()
            .from(messages)
            .where(eq(messages.id, p<string>('id')))
            .limit(1),
        { id },
      );
      return rows[0] ?? null;
    },

    getByWaId(sessionId, waMessageId) {
      return x.first(
        x.db
          .select()
          .from(messages)
          .where(and(eq(messages.sessionId, sessionId), eq(messages.waMessageId, waMessageId)))
          .limit(1),
      );
    },

    updateStatus(id, status, reason, opts) {
      const expected = opts?.expectedFrom === undefined ? undefined : [opts.expectedFrom].flat();
      const now = new Date();
      const column = statusTimestampColumn(status);
      // One SQL text per target status and expected list (both part of the key); the rest is bound.
      const update = async (tx: Executor) => {
        const rows = await tx.prepared(
          `messages.updateStatus:${status}:${expected?.join(',') ?? '*'}`,
          (db, p) =>
            db
              .update(messages)
              .set({
                status,
                statusReason: p<string | null>('reason'),
                updatedAt: p<Date>('now'),
                // The first time a status is reached is kept: a late duplicate receipt moves nothing.
                ...(column ? { [column]: sql`coalesce(${messages[column]}, ${p('rawNow')})` } : {}),
                ...(status === 'sending' ? { attempts: sql`${messages.attempts} + 1` } : {}),
              })
              .where(
                and(
                  eq(messages.id, p<string>('id')),
                  expected ? inArray(messages.status, expected) : undefined,
                ),
              )
              .returning(),
          { reason: reason ?? null, now, rawNow: x.rawTime(now), id },
        );
        return rows[0] ?? null;
      };
      const { event, batchEvent } = opts ?? {};
      if (!event && !batchEvent) return update(x);
      return x.transaction(async (tx) => {
        const updated = await update(tx);
        if (updated && event) await addOutboxEvents(tx, [event(updated)], now);
        if (updated?.batchId && batchEvent) await settleBatch(tx, updated.batchId, batchEvent);
        return updated;
      });
    },

    async listBySession(q) {
      const limit = clampLimit(q.limit);
      const items: Message[] = await x.all(
        x.db
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
              q.remoteJids ? inArray(messages.remoteJid, [...q.remoteJids]) : undefined,
            ),
          )
          .orderBy(desc(messages.id))
          .limit(limit + 1),
      );
      return idPage(items, limit);
    },

    async insertInboundIgnoringDuplicates(input, opts) {
      const insert = async (tx: Executor) => {
        const rows = await tx.all(
          tx.db
            .insert(messages)
            .values(messageRow(input))
            .onConflictDoNothing({ target: [messages.sessionId, messages.waMessageId] })
            .returning({ id: messages.id }),
        );
        return rows.length > 0;
      };
      const event = opts?.event;
      if (!event) return insert(x);
      return x.transaction(async (tx) => {
        const inserted = await insert(tx);
        if (inserted) await addOutboxEvents(tx, [event]);
        return inserted;
      });
    },

    async countByStatus(sessionId) {
      const rows = await x.all(
        x.db
          .select({ status: messages.status, n: count() })
          .from(messages)
          .where(sessionId ? eq(messages.sessionId, sessionId) : undefined)
          .groupBy(messages.status),
      );
      return messageCounts(rows);
    },

    countByBatch(batchId) {
      return countBatch(x, batchId);
    },

    updateMedia(id, payload, mediaId) {
      return x.first(
        x.db
          .update(messages)
          .set({ payload, mediaId, updatedAt: new Date() })
          .where(eq(messages.id, id))
          .returning(),
      );
    },

    async isMediaInUse(mediaId, since) {
      const row = await x.first(
        x.db
          .select({ one: sql<number>`1` })
          .from(messages)
          .where(
            and(
              eq(messages.mediaId, mediaId),
              or(inArray(messages.status, ['queued', 'sending']), gte(messages.createdAt, since)),
            ),
          )
          .limit(1),
      );
      return row !== null;
    },

    async cancelQueued(target, opts) {
      const set = { status: 'cancelled' as const, statusReason: CANCELLED_REASON, updatedAt: new Date() };
      const queued = eq(messages.status, 'queued');
      if ('batchId' in target) {
        const { batchId } = target;
        const cancel = async (ex: Executor) =>
          (
            await ex.all(
              ex.db
                .update(messages)
                .set(set)
                .where(and(queued, eq(messages.batchId, batchId)))
                .returning({ id: messages.id }),
            )
          ).map((row) => row.id);
        const batchEvent = opts?.batchEvent;
        if (!batchEvent) return cancel(x);
        return x.transaction(async (tx) => {
          const ids = await cancel(tx);
          if (ids.length > 0) await settleBatch(tx, batchId, batchEvent);
          return ids;
        });
      }
      return x.transaction(async (tx) => {
        const ids: string[] = [];
        for (const part of chunk([...new Set(target.ids)], IN_LIST_CHUNK)) {
          const rows = await tx.all(
            tx.db
              .update(messages)
              .set(set)
              .where(and(queued, inArray(messages.id, part)))
              .returning({ id: messages.id }),
          );
          ids.push(...rows.map((row) => row.id));
        }
        return ids;
      });
    },

    listQueuedBefore(olderThan, limit, afterId) {
      return x.all(
        x.db
          .select({ id: messages.id, sessionId: messages.sessionId, batchId: messages.batchId })
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
          .limit(clampLimit(limit, MAX_QUEUED_PAGE)),
      );
    },
  };
}
