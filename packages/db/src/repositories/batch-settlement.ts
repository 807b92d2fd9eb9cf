import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import { addOutboxEvents, type OutboxEvent } from './event-outbox.repository.js';
import type { BatchCounts } from './repository-types.js';
import { batchCounts } from './row-builders.js';

/** True while any message of the batch is still `queued` or `sending` (one indexed lookup). */
async function hasUnsettled(x: Executor, batchId: string): Promise<boolean> {
  const { messages } = x.tables;
  const rows = await x.prepared(
    'messages.hasUnsettled',
    (db, p) =>
      db
        .select({ one: sql<number>`1` })
        .from(messages)
        .where(
          and(eq(messages.batchId, p<string>('batchId')), inArray(messages.status, ['queued', 'sending'])),
        )
        .limit(1),
    { batchId },
  );
  return rows.length > 0;
}

/** Counts of one batch by session and status; null when no message carries the id. */
export async function countBatch(x: Executor, batchId: string): Promise<BatchCounts | null> {
  const { messages } = x.tables;
  const rows = await x.all(
    x.db
      .select({ sessionId: messages.sessionId, status: messages.status, n: count() })
      .from(messages)
      .where(eq(messages.batchId, batchId))
      .groupBy(messages.sessionId, messages.status),
  );
  return batchCounts(batchId, rows);
}

/**
 * Inside the transaction that settled (or cancelled) messages of a batch: when none of the batch
 * is left `queued` or `sending`, writes the batch's `batch.completed` event (built by `build` from
 * its counts) to the event outbox, and returns it. Transactions settling messages of one batch
 * take turns on a lock named after it, so on PostgreSQL the last of two concurrent settlements
 * sees the first one's commit: the event is written exactly once, by whichever settled last, and
 * a crash after the commit leaves it to the outbox relay. Writing it twice is harmless besides:
 * its id is derived from the batch, and the outbox keeps one row per id.
 */
export async function settleBatch(
  tx: Executor,
  batchId: string,
  build: (counts: BatchCounts) => OutboxEvent,
): Promise<OutboxEvent | undefined> {
  await tx.lock(`wagw:batch:${batchId}`);
  if (await hasUnsettled(tx, batchId)) return undefined;
  const counts = await countBatch(tx, batchId);
  if (!counts) return undefined;
  const event = build(counts);
  await addOutboxEvents(tx, [event]);
  return event;
}
