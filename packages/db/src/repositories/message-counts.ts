import { and, count, eq, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Executor } from '../executor/executor.js';
import type { MessageMinute, MessagesRepository } from './repository-types.js';

const MINUTE_MS = 60_000;

/**
 * Whole minutes since the epoch of a timestamp column. The one place these queries differ by
 * dialect: SQLite stores epoch milliseconds as integers (integer division), PostgreSQL timestamptz.
 */
function minuteOf(x: Executor, column: SQLiteColumn): SQL<number> {
  // A literal divisor: better-sqlite3 binds a JS number as REAL, which would make the division exact.
  const expr =
    x.dialect === 'sqlite' ? sql`(${column} / 60000)` : sql`floor(extract(epoch from ${column}) / 60)`;
  return expr.mapWith(Number) as SQL<number>;
}

/**
 * Counting queries over messages for the dashboard: per-minute throughput and a session's recent
 * totals. "Sent" is an outbound message by when it reached `sent` (sent_at), "received" an inbound
 * one by its created_at (WhatsApp's own timestamp of the message). Each query is a range scan of an
 * index (see `messages` in schema/tables.ts): none reads more rows than the period holds.
 */
export function createMessageCounts(x: Executor): Pick<MessagesRepository, 'countPerMinute' | 'countSince'> {
  const { messages, sessions } = x.tables;

  return {
    async countPerMinute(since, until) {
      const sentMinute = minuteOf(x, messages.sentAt);
      const receivedMinute = minuteOf(x, messages.createdAt);
      const [sent, received] = await Promise.all([
        x.all(
          x.db
            .select({ minute: sentMinute, n: count() })
            .from(messages)
            .where(
              and(
                // Always true (every message belongs to a session), but it lets the planner walk
                // (session_id, sent_at) once per session instead of scanning the table: there is
                // no index led by sent_at, and sessions are few next to messages.
                inArray(messages.sessionId, x.db.select({ id: sessions.id }).from(sessions)),
                gte(messages.sentAt, since),
                lt(messages.sentAt, until),
              ),
            )
            .groupBy(sentMinute),
        ),
        x.all(
          x.db
            .select({ minute: receivedMinute, n: count() })
            .from(messages)
            .where(
              and(
                eq(messages.status, 'received'),
                gte(messages.createdAt, since),
                lt(messages.createdAt, until),
              ),
            )
            .groupBy(receivedMinute),
        ),
      ]);
      const byMinute = new Map<number, MessageMinute>();
      const entry = (minute: number) => {
        let found = byMinute.get(minute);
        if (!found) {
          found = { minute: new Date(minute * MINUTE_MS), sent: 0, received: 0 };
          byMinute.set(minute, found);
        }
        return found;
      };
      for (const row of sent) entry(Number(row.minute)).sent += row.n;
      for (const row of received) entry(Number(row.minute)).received += row.n;
      return [...byMinute.values()].sort((a, b) => a.minute.getTime() - b.minute.getTime());
    },

    async countSince(sessionId, since) {
      const [sent, received] = await Promise.all([
        x.first(
          x.db
            .select({ n: count() })
            .from(messages)
            .where(and(eq(messages.sessionId, sessionId), gte(messages.sentAt, since))),
        ),
        x.first(
          x.db
            .select({ n: count() })
            .from(messages)
            .where(
              and(
                eq(messages.sessionId, sessionId),
                eq(messages.status, 'received'),
                gte(messages.createdAt, since),
              ),
            ),
        ),
      ]);
      return { sent: sent?.n ?? 0, received: received?.n ?? 0 };
    },
  };
}
