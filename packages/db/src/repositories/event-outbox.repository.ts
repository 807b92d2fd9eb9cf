import { and, asc, count, inArray, isNull, lt, or } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import { chunk } from './row-builders.js';

/** One event as the outbox keeps it: the envelope exactly as it will be published. */
export interface OutboxEvent {
  id: string;
  sessionId: string | null;
  envelope: Record<string, unknown>;
}

export interface EventOutboxRepository {
  /**
   * Writes events that announce no stored change (news from WhatsApp with nothing to keep), so that
   * a Redis outage or a crash before they are published leaves them to the relay.
   */
  add(events: readonly OutboxEvent[]): Promise<void>;
  /** Deletes published events (ids not present are ignored). */
  remove(ids: readonly string[]): Promise<void>;
  /**
   * Takes up to `limit` events written before `olderThan` that no relay holds, oldest first, and
   * holds them for `claimMs` so a concurrent relay run skips them. A relay that dies with events in
   * hand leaves them to the next run once the claim ends.
   */
  claimStale(olderThan: Date, claimMs: number, limit: number): Promise<OutboxEvent[]>;
  count(): Promise<number>;
}

/** Writes events inside the caller's transaction: the change and its events commit together. */
export async function addOutboxEvents(tx: Executor, events: readonly OutboxEvent[], now = new Date()) {
  if (events.length === 0) return;
  const { eventOutbox } = tx.tables;
  const [only] = events;
  if (events.length === 1 && only) {
    // The common case (a status change and its one event), kept built: see Executor.prepared.
    await tx.prepared(
      'eventOutbox.addOne',
      (db, p) =>
        db
          .insert(eventOutbox)
          .values({
            id: p<string>('id'),
            sessionId: p<string | null>('sessionId'),
            envelope: p<Record<string, unknown>>('envelope'),
            createdAt: p<Date>('now'),
          })
          .onConflictDoNothing({ target: eventOutbox.id }),
      { id: only.id, sessionId: only.sessionId, envelope: only.envelope, now },
    );
    return;
  }
  await tx.run(
    tx.db
      .insert(eventOutbox)
      .values(events.map((e) => ({ id: e.id, sessionId: e.sessionId, envelope: e.envelope, createdAt: now })))
      // The same fact written twice (a replayed spool entry) keeps one row.
      .onConflictDoNothing({ target: eventOutbox.id }),
  );
}

export function createEventOutboxRepository(x: Executor): EventOutboxRepository {
  const { eventOutbox } = x.tables;
  return {
    async add(events) {
      if (events.length > 0) await x.transaction((tx) => addOutboxEvents(tx, events));
    },

    async remove(ids) {
      for (const part of chunk([...ids], 500)) {
        await x.run(x.db.delete(eventOutbox).where(inArray(eventOutbox.id, part)));
      }
    },

    claimStale(olderThan, claimMs, limit) {
      return x.transaction(async (tx) => {
        const now = new Date();
        const free = or(isNull(eventOutbox.claimedUntil), lt(eventOutbox.claimedUntil, now));
        const rows = await tx.all(
          tx.forUpdate(
            tx.db
              .select({
                id: eventOutbox.id,
                sessionId: eventOutbox.sessionId,
                envelope: eventOutbox.envelope,
              })
              .from(eventOutbox)
              .where(and(lt(eventOutbox.createdAt, olderThan), free))
              .orderBy(asc(eventOutbox.createdAt))
              .limit(limit),
          ),
        );
        if (rows.length === 0) return [];
        const until = new Date(now.getTime() + claimMs);
        for (const part of chunk(rows, 500)) {
          await tx.run(
            tx.db
              .update(eventOutbox)
              .set({ claimedUntil: until })
              .where(
                inArray(
                  eventOutbox.id,
                  part.map((r) => r.id),
                ),
              ),
          );
        }
        return rows;
      });
    },

    async count() {
      const row = await x.first(x.db.select({ n: count() }).from(eventOutbox));
      return row?.n ?? 0;
    },
  };
}
