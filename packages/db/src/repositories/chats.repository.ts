import { and, asc, desc, eq, gt, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import type { ChatChange, ChatRow, ChatsRepository } from './chat-types.js';
import { addOutboxEvents } from './event-outbox.repository.js';
import { clampLimit } from './row-builders.js';

/** The activity of a chat nothing dated is known of: it sorts last. */
const EPOCH = new Date(0);

/** Which stored fields a change replaces: changes that agree on it share one multi-row statement. */
function shapeOf(change: ChatChange): string {
  const unread =
    change.unread === undefined ? '-' : change.unread === 'marked' ? 'm' : 'set' in change.unread ? 's' : 'a';
  return [unread, change.archived !== undefined, change.mutedUntil !== undefined, !!change.lastMessage].join(
    '|',
  );
}

/**
 * Splits changes into runs of one shape without a jid twice (one INSERT … ON CONFLICT cannot touch
 * a row twice), keeping their order: `{ set: 0 }` then `{ add: 1 }` must end at 1, not 0.
 */
function runsOf(changes: readonly ChatChange[]): ChatChange[][] {
  const runs: ChatChange[][] = [];
  let run: ChatChange[] = [];
  let shape = '';
  const jids = new Set<string>();
  for (const change of changes) {
    const next = shapeOf(change);
    if (run.length > 0 && (next !== shape || jids.has(change.jid) || run.length >= 200)) {
      runs.push(run);
      run = [];
      jids.clear();
    }
    shape = next;
    run.push(change);
    jids.add(change.jid);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

export function createChatsRepository(x: Executor): ChatsRepository {
  const { chats } = x.tables;

  function rowOf(sessionId: string, change: ChatChange, now: Date) {
    const last = change.lastMessage;
    const activity = [change.activityAt, last?.at].reduce<Date>(
      (a, b) => (b && b.getTime() > a.getTime() ? b : a),
      EPOCH,
    );
    const unread = change.unread;
    return {
      sessionId,
      jid: change.jid,
      lid: change.lid ?? null,
      name: change.name ?? null,
      lastMessageWaId: last?.waMessageId ?? null,
      lastMessagePreview: last?.preview ?? null,
      lastMessageAt: last?.at ?? null,
      lastMessageDirection: last?.direction ?? null,
      unreadCount:
        unread === undefined ? 0 : unread === 'marked' ? 1 : 'set' in unread ? unread.set : unread.add,
      archived: change.archived ?? false,
      mutedUntil: change.mutedUntil ?? null,
      activityAt: activity,
      updatedAt: now,
    };
  }

  /** The ON CONFLICT update for a run of changes of one shape. */
  function updateOf(sample: ChatChange): Record<string, SQL> {
    const set: Record<string, SQL> = {
      lid: sql`coalesce(excluded.lid, ${chats.lid})`,
      name: sql`coalesce(excluded.name, ${chats.name})`,
      activityAt: sql`case when excluded.activity_at > ${chats.activityAt} then excluded.activity_at else ${chats.activityAt} end`,
      updatedAt: sql`excluded.updated_at`,
    };
    const unread = sample.unread;
    if (unread === 'marked') {
      set.unreadCount = sql`case when ${chats.unreadCount} > 0 then ${chats.unreadCount} else 1 end`;
    } else if (unread && 'add' in unread) {
      set.unreadCount = sql`${chats.unreadCount} + excluded.unread_count`;
    } else if (unread) {
      set.unreadCount = sql`excluded.unread_count`;
    }
    if (sample.archived !== undefined) set.archived = sql`excluded.archived`;
    if (sample.mutedUntil !== undefined) set.mutedUntil = sql`excluded.muted_until`;
    if (sample.lastMessage) {
      const newer = sql`${chats.lastMessageAt} is null or excluded.last_message_at >= ${chats.lastMessageAt}`;
      const pick = (column: string, current: SQL) =>
        sql`case when ${newer} then ${sql.raw(`excluded.${column}`)} else ${current} end`;
      set.lastMessageWaId = pick('last_message_wa_id', sql`${chats.lastMessageWaId}`);
      set.lastMessagePreview = pick('last_message_preview', sql`${chats.lastMessagePreview}`);
      set.lastMessageDirection = pick('last_message_direction', sql`${chats.lastMessageDirection}`);
      set.lastMessageAt = pick('last_message_at', sql`${chats.lastMessageAt}`);
    }
    return set;
  }

  return {
    async applyMany(sessionId, changes, opts) {
      if (changes.length === 0) return [];
      const now = new Date();
      // In the order first touched (a later run of the same chat replaces its row).
      const order = [...new Set(changes.map((c) => c.jid))];
      return x.transaction(async (tx) => {
        const touched = new Map<string, ChatRow>();
        for (const run of runsOf(changes)) {
          const rows: ChatRow[] = await tx.all(
            tx.db
              .insert(chats)
              .values(run.map((change) => rowOf(sessionId, change, now)))
              .onConflictDoUpdate({
                target: [chats.sessionId, chats.jid],
                set: updateOf(run[0] as ChatChange),
              })
              .returning(),
          );
          for (const row of rows) touched.set(row.jid, row);
        }
        const stored = order.flatMap((jid) => {
          const row = touched.get(jid);
          return row ? [row] : [];
        });
        if (opts?.events) await addOutboxEvents(tx, opts.events(stored), now);
        return stored;
      });
    },

    get(sessionId, jid) {
      return x.first(
        x.db
          .select()
          .from(chats)
          .where(and(eq(chats.sessionId, sessionId), eq(chats.jid, jid)))
          .limit(1),
      );
    },

    findByAddresses(sessionId, addresses) {
      if (addresses.length === 0) return Promise.resolve([]);
      const list = [...addresses];
      return x.all(
        x.db
          .select()
          .from(chats)
          .where(and(eq(chats.sessionId, sessionId), or(inArray(chats.jid, list), inArray(chats.lid, list)))),
      );
    },

    async listPage(sessionId, page) {
      const limit = clampLimit(page.limit);
      const after = page.after;
      const rows: ChatRow[] = await x.all(
        x.db
          .select()
          .from(chats)
          .where(
            and(
              eq(chats.sessionId, sessionId),
              page.archived === undefined ? undefined : eq(chats.archived, page.archived),
              after
                ? or(
                    lt(chats.activityAt, after.activityAt),
                    and(eq(chats.activityAt, after.activityAt), gt(chats.jid, after.jid)),
                  )
                : undefined,
            ),
          )
          .orderBy(desc(chats.activityAt), asc(chats.jid))
          .limit(limit + 1),
      );
      const hasMore = rows.length > limit;
      const items = hasMore ? rows.slice(0, limit) : rows;
      const last = items.at(-1);
      return { items, next: hasMore && last ? { activityAt: last.activityAt, jid: last.jid } : null };
    },
  };
}
