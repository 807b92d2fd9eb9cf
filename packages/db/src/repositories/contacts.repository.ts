import { asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import type { ContactsRepository } from './repository-types.js';
import { chunk, INSERT_CHUNK_ROWS, mergeContacts } from './row-builders.js';

export function createContactsRepository(x: Executor): ContactsRepository {
  const { contacts } = x.tables;
  return {
    async upsertMany(sessionId, input) {
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
      await x.transaction(async (tx) => {
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
      });
    },

    listBySession(sessionId) {
      return x.all(
        x.db.select().from(contacts).where(eq(contacts.sessionId, sessionId)).orderBy(asc(contacts.jid)),
      );
    },
  };
}
