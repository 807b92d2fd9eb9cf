import { asc, eq, sql } from 'drizzle-orm';
import { contacts } from '../../schema/pg.js';
import { chunk, INSERT_CHUNK_ROWS, mergeContacts } from '../shared.js';
import type { ContactsRepository } from '../types.js';
import type { PgDb } from './db.js';

export function createPgContactsRepository(db: PgDb): ContactsRepository {
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
      await db.transaction(async (tx) => {
        for (const part of chunk(rows, INSERT_CHUNK_ROWS)) {
          await tx
            .insert(contacts)
            .values(part)
            .onConflictDoUpdate({
              target: [contacts.sessionId, contacts.jid],
              set: {
                lid: sql`coalesce(excluded.lid, ${contacts.lid})`,
                name: sql`coalesce(excluded.name, ${contacts.name})`,
                notify: sql`coalesce(excluded.notify, ${contacts.notify})`,
                imgUrl: sql`coalesce(excluded.img_url, ${contacts.imgUrl})`,
                updatedAt: sql`excluded.updated_at`,
              },
            });
        }
      });
    },

    async listBySession(sessionId) {
      return db.select().from(contacts).where(eq(contacts.sessionId, sessionId)).orderBy(asc(contacts.jid));
    },
  };
}
