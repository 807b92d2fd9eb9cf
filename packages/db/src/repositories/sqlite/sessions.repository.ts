import { and, asc, count, desc, eq, inArray, isNull, lt, lte } from 'drizzle-orm';
import type { DesiredState } from '../../schema/enums.js';
import { sessionEvents, sessions } from '../../schema/sqlite.js';
import {
  expectedStatuses,
  nextReconnectAttempts,
  sessionCounts,
  sessionEventRow,
  sessionRow,
} from '../shared.js';
import type { SessionEventsRepository, SessionsRepository } from '../types.js';
import { type SqliteDb, WRITE_TX } from './db.js';

const live = isNull(sessions.deletedAt);

export function createSqliteSessionsRepository(db: SqliteDb): SessionsRepository {
  return {
    async create(input) {
      const row = sessionRow(input);
      db.transaction((tx) => {
        tx.insert(sessions).values(row).run();
        tx.insert(sessionEvents)
          .values(sessionEventRow(row.id, null, row.status, { reason: 'created' }, row.createdAt))
          .run();
      }, WRITE_TX);
      return row;
    },

    async getById(id, opts) {
      const where = opts?.includeDeleted ? eq(sessions.id, id) : and(eq(sessions.id, id), live);
      return (await db.select().from(sessions).where(where).get()) ?? null;
    },

    async getByName(name) {
      return (
        (await db
          .select()
          .from(sessions)
          .where(and(eq(sessions.name, name), live))
          .get()) ?? null
      );
    },

    async list(filter = {}) {
      const statuses = expectedStatuses(filter.status);
      const where = and(
        filter.includeDeleted ? undefined : live,
        statuses ? inArray(sessions.status, [...statuses]) : undefined,
      );
      return db.select().from(sessions).where(where).orderBy(asc(sessions.id)).all();
    },

    async updateDesired(id, desired: DesiredState) {
      const rows = await db
        .update(sessions)
        .set({ desiredState: desired, updatedAt: new Date() })
        .where(eq(sessions.id, id))
        .returning();
      return rows[0] ?? null;
    },

    async transitionStatus(id, t) {
      return db.transaction((tx) => {
        const current = tx.select().from(sessions).where(eq(sessions.id, id)).get();
        if (!current) return null;
        const expected = expectedStatuses(t.expectedFrom);
        if (expected && !expected.includes(current.status)) return null;
        const now = new Date();
        const updated = tx
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
          .returning()
          .get();
        tx.insert(sessionEvents)
          .values(sessionEventRow(id, current.status, t.to, t, now))
          .run();
        return updated ?? null;
      }, WRITE_TX);
    },

    async setOwner(id, workerId, generation) {
      const rows = await db
        .update(sessions)
        .set({ ownerWorkerId: workerId, leaseGeneration: generation, updatedAt: new Date() })
        .where(and(eq(sessions.id, id), lte(sessions.leaseGeneration, generation)))
        .returning();
      return rows[0] ?? null;
    },

    async requestCommand(id, request) {
      const now = new Date();
      const rows = await db
        .update(sessions)
        .set({
          desiredState: request.desired,
          ...(request.command ? { pendingCommand: request.command, pendingCommandAt: now } : {}),
          updatedAt: now,
        })
        .where(and(eq(sessions.id, id), live))
        .returning();
      return rows[0] ?? null;
    },

    async clearCommand(id, at) {
      const rows = await db
        .update(sessions)
        .set({ pendingCommand: null, pendingCommandAt: null, updatedAt: new Date() })
        .where(and(eq(sessions.id, id), eq(sessions.pendingCommandAt, at)))
        .returning({ id: sessions.id });
      return rows.length > 0;
    },

    async setIdentity(id, identity) {
      await db
        .update(sessions)
        .set({ ...identity, updatedAt: new Date() })
        .where(eq(sessions.id, id));
    },

    async countByStatus() {
      const rows = await db
        .select({ status: sessions.status, n: count() })
        .from(sessions)
        .where(live)
        .groupBy(sessions.status);
      return sessionCounts(rows);
    },

    async softDelete(id) {
      const now = new Date();
      const rows = await db
        .update(sessions)
        .set({ deletedAt: now, updatedAt: now })
        .where(and(eq(sessions.id, id), live))
        .returning({ id: sessions.id });
      return rows.length > 0;
    },

    async listStale({ statuses, olderThan }) {
      if (statuses.length === 0) return [];
      return db
        .select()
        .from(sessions)
        .where(and(live, inArray(sessions.status, [...statuses]), lt(sessions.statusChangedAt, olderThan)))
        .orderBy(asc(sessions.statusChangedAt))
        .all();
    },
  };
}

export function createSqliteSessionEventsRepository(db: SqliteDb): SessionEventsRepository {
  return {
    async listBySession(sessionId, opts) {
      return db
        .select()
        .from(sessionEvents)
        .where(eq(sessionEvents.sessionId, sessionId))
        .orderBy(desc(sessionEvents.id))
        .limit(opts?.limit ?? 100)
        .all();
    },
  };
}
