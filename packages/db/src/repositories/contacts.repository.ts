import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import { addOutboxEvents } from './event-outbox.repository.js';
import type { Contact, ContactsRepository, ContactUpsert } from './repository-types.js';
import { chunk, clampLimit, INSERT_CHUNK_ROWS, mergeContacts } from './row-builders.js';

export function createContactsRepository(x: Executor): ContactsRepository {
  const { contacts } = x.tables;

  async function upsertWith(tx: Executor, sessionId: string, input: readonly ContactUpsert[]) {
    const now = new Date();
    const rows = mergeContacts(input).map((c) => ({
      sessionId,
      jid: c.jid,
      lid: c.lid ?? null,
      name: c.name ?? null,
      notify: c.notify ?? null,
      imgUrl: c.imgUrl ?? null,
      updatedAt: now,
    }));
    for (const part of chunk(rows, INSERT_CHUNK_ROWS)) {
      await tx.run(
        tx.db
          .insert(contacts)
          .values(part)
          .onConflictDoUpdate({
            target: [contacts.sessionId, contacts.jid],
            // A partial update (a name without a picture, say) keeps what is already known.
            set: {
              lid: sql`coalesce(excluded.lid, ${contacts.lid})`,
              name: sql`coalesce(excluded.name, ${contacts.name})`,
              notify: sql`coalesce(excluded.notify, ${contacts.notify})`,
              imgUrl: sql`coalesce(excluded.img_url, ${contacts.imgUrl})`,
              updatedAt: sql`excluded.updated_at`,
            },
          }),
      );
    }
  }

  function byAddresses(
    tx: Executor,
    sessionId: string,
    addresses: readonly string[],
    lock: boolean,
  ): Promise<Contact[]> {
    if (addresses.length === 0) return Promise.resolve([]);
    const list = [...addresses];
    const query = tx.db
      .select()
      .from(contacts)
      .where(
        and(eq(contacts.sessionId, sessionId), or(inArray(contacts.jid, list), inArray(contacts.lid, list))),
      );
    return tx.all(lock ? tx.forUpdate(query) : query);
  }

  return {
    async upsertMany(sessionId, input, opts) {
      const build = opts?.events;
      if (!build) {
        await x.transaction((tx) => upsertWith(tx, sessionId, input));
        return [];
      }
      const addresses = [...new Set(input.flatMap((c) => [c.jid, ...(c.lid ? [c.lid] : [])]))];
      return x.transaction(async (tx) => {
        // FOR UPDATE on PostgreSQL: a concurrent write to these contacts waits, so "before" stays true.
        const before = await byAddresses(tx, sessionId, addresses, true);
        await upsertWith(tx, sessionId, input);
        const events = build(before, await byAddresses(tx, sessionId, addresses, false));
        await addOutboxEvents(tx, events);
        return events;
      });
    },

    listBySession(sessionId) {
      return x.all(
        x.db.select().from(contacts).where(eq(contacts.sessionId, sessionId)).orderBy(asc(contacts.jid)),
      );
    },

    async recordLidMappings(sessionId, pairs) {
      if (pairs.length === 0) return;
      await x.transaction(async (tx) => {
        for (const part of chunk([...pairs], INSERT_CHUNK_ROWS)) {
          const lids = part.map((p) => p.lid);
          // Rows Baileys created from a LID alone (`jid` = the LID) before the phone number was known.
          const lidOnly: Contact[] = await tx.all(
            tx.db
              .select()
              .from(contacts)
              .where(and(eq(contacts.sessionId, sessionId), inArray(contacts.jid, lids))),
          );
          const byLid = new Map(lidOnly.map((row) => [row.jid, row]));
          const existing: Contact[] = await tx.all(
            tx.db
              .select()
              .from(contacts)
              .where(
                and(
                  eq(contacts.sessionId, sessionId),
                  inArray(
                    contacts.jid,
                    part.map((p) => p.pn),
                  ),
                ),
              ),
          );
          const byPn = new Map(existing.map((row) => [row.jid, row]));
          await upsertWith(
            tx,
            sessionId,
            part.map(({ pn, lid }) => {
              const folded = byLid.get(lid);
              const own = byPn.get(pn);
              // The PN row's own fields win; the LID row only fills what it lacks.
              return {
                jid: pn,
                lid,
                name: own?.name ?? folded?.name ?? null,
                notify: own?.notify ?? folded?.notify ?? null,
                imgUrl: own?.imgUrl ?? folded?.imgUrl ?? null,
              };
            }),
          );
          if (byLid.size > 0) {
            await tx.run(
              tx.db
                .delete(contacts)
                .where(and(eq(contacts.sessionId, sessionId), inArray(contacts.jid, [...byLid.keys()]))),
            );
          }
        }
      });
    },

    async listPage(sessionId, page) {
      const limit = clampLimit(page.limit);
      const rows: Contact[] = await x.all(
        x.db
          .select()
          .from(contacts)
          .where(
            and(eq(contacts.sessionId, sessionId), page.cursor ? gt(contacts.jid, page.cursor) : undefined),
          )
          .orderBy(asc(contacts.jid))
          .limit(limit + 1),
      );
      const hasMore = rows.length > limit;
      const items = hasMore ? rows.slice(0, limit) : rows;
      return { items, nextCursor: hasMore ? (items.at(-1)?.jid ?? null) : null };
    },

    findByAddresses(sessionId, addresses) {
      return byAddresses(x, sessionId, addresses, false);
    },
  };
}
