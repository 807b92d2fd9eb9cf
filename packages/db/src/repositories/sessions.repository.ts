import { and, asc, count, desc, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import { type DesiredState, WAITING_FOR_CAPACITY_REASON } from '../schema/enums.js';
import { addOutboxEvents } from './event-outbox.repository.js';
import type { SessionEventsRepository, SessionsRepository } from './repository-types.js';
import {
  expectedStatuses,
  nextReconnectAttempts,
  sessionCounts,
  sessionEventRow,
  sessionRow,
} from './row-builders.js';

export function createSessionsRepository(x: Executor): SessionsRepository {
  const { sessions, sessionEvents } = x.tables;
  const live = isNull(sessions.deletedAt);
  return {
    async create(input) {
      const row = sessionRow(input);
      await x.transaction(async (tx) => {
        await tx.run(tx.db.insert(sessions).values(row));
        await tx.run(
          tx.db
            .insert(sessionEvents)
            .values(sessionEventRow(row.id, null, row.status, { reason: 'created' }, row.createdAt)),
        );
      });
      return row;
    },

    async getById(id, opts) {
      // Every API request on a session reads it: kept built, one text with and one without deleted.
      const all = opts?.includeDeleted === true;
      const rows = await x.prepared(
        `sessions.getById:${all ? 'all' : 'live'}`,
        (db, p) =>
          db
            .select()
            .from(sessions)
            .where(all ? eq(sessions.id, p<string>('id')) : and(eq(sessions.id, p<string>('id')), live))
            .limit(1),
        { id },
      );
      return rows[0] ?? null;
    },

    getByName(name) {
      return x.first(
        x.db
          .select()
          .from(sessions)
          .where(and(eq(sessions.name, name), live))
          .limit(1),
      );
    },

    list(filter = {}) {
      const statuses = expectedStatuses(filter.status);
      const where = and(
        filter.includeDeleted ? undefined : live,
        statuses ? inArray(sessions.status, [...statuses]) : undefined,
      );
      return x.all(x.db.select().from(sessions).where(where).orderBy(asc(sessions.id)));
    },

    updateDesired(id, desired: DesiredState) {
      return x.first(
        x.db
          .update(sessions)
          .set({ desiredState: desired, updatedAt: new Date() })
          .where(eq(sessions.id, id))
          .returning(),
      );
    },

    transitionStatus(id, t) {
      return x.transaction(async (tx) => {
        // Locked: concurrent transitions of one session queue here, so the compare-and-set holds.
        const current = await tx.first(
          tx.forUpdate(tx.db.select().from(sessions).where(eq(sessions.id, id)).limit(1)),
        );
        if (!current) return null;
        const expected = expectedStatuses(t.expectedFrom);
        if (expected && !expected.includes(current.status)) return null;
        const owner = t.expectedOwner;
        if (
          owner &&
          (current.ownerWorkerId !== owner.workerId || current.leaseGeneration !== owner.generation)
        )
          return null;
        const now = new Date();
        const updated = await tx.first(
          tx.db
            .update(sessions)
            .set({
              status: t.to,
              statusReason: t.reason ?? null,
              lastDisconnectCode:
                t.disconnectCode !== undefined ? t.disconnectCode : current.lastDisconnectCode,
              statusChangedAt: now,
              reconnectAttempts: nextReconnectAttempts(current.reconnectAttempts, t.to),
              updatedAt: now,
            })
            .where(eq(sessions.id, id))
            .returning(),
        );
        await tx.run(tx.db.insert(sessionEvents).values(sessionEventRow(id, current.status, t.to, t, now)));
        const event = updated ? t.event?.(updated, current.status) : undefined;
        if (event) await addOutboxEvents(tx, [event], now);
        return updated;
      });
    },

    setOwner(id, workerId, generation) {
      return x.first(
        x.db
          .update(sessions)
          .set({ ownerWorkerId: workerId, leaseGeneration: generation, updatedAt: new Date() })
          // Fencing: an owner with an older lease generation can never overwrite a newer one, and a
          // generation recorded for one worker is not taken over by another. Redis hands out one
          // generation twice only after it lost its counter (an empty restart) to a claim that read
          // the row before the last owner's write; the second claimant is then refused here, so the
          // two never share the number the auth-write fence compares.
          .where(
            and(
              eq(sessions.id, id),
              or(
                lt(sessions.leaseGeneration, generation),
                and(
                  eq(sessions.leaseGeneration, generation),
                  workerId === null
                    ? undefined
                    : or(isNull(sessions.ownerWorkerId), eq(sessions.ownerWorkerId, workerId)),
                ),
              ),
            ),
          )
          .returning(),
      );
    },

    requestCommand(id, request) {
      const now = new Date();
      return x.first(
        x.db
          .update(sessions)
          .set({
            desiredState: request.desired,
            ...(request.command ? { pendingCommand: request.command, pendingCommandAt: now } : {}),
            updatedAt: now,
          })
          .where(and(eq(sessions.id, id), live))
          .returning(),
      );
    },

    async clearCommand(id, at) {
      const rows = await x.all(
        x.db
          .update(sessions)
          .set({ pendingCommand: null, pendingCommandAt: null, updatedAt: new Date() })
          .where(and(eq(sessions.id, id), eq(sessions.pendingCommandAt, at)))
          .returning({ id: sessions.id }),
      );
      return rows.length > 0;
    },

    async setIdentity(id, identity) {
      await x.run(
        x.db
          .update(sessions)
          .set({ ...identity, updatedAt: new Date() })
          .where(eq(sessions.id, id)),
      );
    },

    async countByStatus() {
      const rows = await x.all(
        x.db
          .select({ status: sessions.status, n: count() })
          .from(sessions)
          .where(live)
          .groupBy(sessions.status),
      );
      return sessionCounts(rows);
    },

    async countWaitingForCapacity() {
      const [row] = await x.all(
        x.db
          .select({ n: count() })
          .from(sessions)
          .where(
            and(
              live,
              eq(sessions.desiredState, 'running'),
              eq(sessions.status, 'stopped'),
              eq(sessions.statusReason, WAITING_FOR_CAPACITY_REASON),
            ),
          ),
      );
      return Number(row?.n ?? 0);
    },

    async softDelete(id) {
      const now = new Date();
      const rows = await x.all(
        x.db
          .update(sessions)
          .set({ deletedAt: now, updatedAt: now })
          .where(and(eq(sessions.id, id), live))
          .returning({ id: sessions.id }),
      );
      return rows.length > 0;
    },

    async listStale({ statuses, olderThan }) {
      if (statuses.length === 0) return [];
      return x.all(
        x.db
          .select()
          .from(sessions)
          .where(and(live, inArray(sessions.status, [...statuses]), lt(sessions.statusChangedAt, olderThan)))
          .orderBy(asc(sessions.statusChangedAt)),
      );
    },
  };
}

export function createSessionEventsRepository(x: Executor): SessionEventsRepository {
  const { sessionEvents } = x.tables;
  return {
    listBySession(sessionId, opts) {
      return x.all(
        x.db
          .select()
          .from(sessionEvents)
          .where(eq(sessionEvents.sessionId, sessionId))
          .orderBy(desc(sessionEvents.id))
          .limit(opts?.limit ?? 100),
      );
    },
  };
}
