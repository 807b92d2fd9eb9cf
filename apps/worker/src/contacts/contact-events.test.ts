import { createDatabase, type Database, type OutboxEvent } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { createPgSchema, type PgSchema, tempSqliteUrl } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbound } from '../messaging/inbound.js';
import type { MessageEvents } from '../messaging/message-events.js';

// Real SQLite and PostgreSQL: contact changes Baileys reports are stored with their
// `contact.updated` events in one commit, so a worker that dies before publishing still leaves them
// to the outbox relay. PostgreSQL is where concurrent reports about a new contact really interleave.
const logger = createLogger({ name: 'test', level: 'silent' });
let db: Database;

/** The outbox's `contact.updated` events (oldest first), taken out of it. */
async function drainOutbox() {
  const rows = await db.repos.eventOutbox.claimStale(new Date(Date.now() + 60_000), 1, 100);
  await db.repos.eventOutbox.remove(rows.map((e) => e.id));
  return rows.map((e) => (e.envelope as { data: { contact: Record<string, unknown> } }).data.contact);
}

/** Inbound for a new session whose publishing never happens (the process dies after each commit). */
async function crashingAfterCommit(opts: { slowFirstWrite?: boolean } = {}) {
  let slow = opts.slowFirstWrite ?? false;
  const sessionId = (await db.repos.sessions.create({ name: `contacts-${Date.now()}` })).id;
  const published: OutboxEvent[] = [];
  const inbound = createInbound({
    sessionId,
    logger,
    repos: db.repos,
    db: async (fn) => {
      if (slow) {
        slow = false;
        await new Promise((r) => setTimeout(r, 100));
      }
      return fn();
    },
    events: {
      publishStored: async (event: OutboxEvent) => {
        published.push(event);
      },
    } as unknown as MessageEvents,
    media: { store: async () => true },
    mediaMaxBytes: 1024,
  });
  return { inbound, published, sessionId };
}

const BOB = '15550001111@s.whatsapp.net';

describe.each(['sqlite', 'postgres'] as const)('contact events (%s)', (dialect) => {
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    let pg: PgSchema | undefined;
    const sqlite = dialect === 'sqlite' ? tempSqliteUrl() : undefined;
    if (!sqlite) pg = await createPgSchema();
    db = await createDatabase({ url: sqlite?.url ?? (pg as PgSchema).url });
    await db.migrate();
    cleanup = async () => {
      await db.close();
      sqlite?.cleanup();
      await pg?.drop();
    };
  });
  afterAll(() => cleanup());

  it('a changed contact is stored with its event; an unchanged one announces nothing', async () => {
    const { inbound, published } = await crashingAfterCommit();
    await inbound.onContacts([{ id: BOB, notify: 'Bob' }]);
    await inbound.onContacts([{ id: BOB, notify: 'Bob' }]);
    // A LID-addressed update of the same person, with the phone number: one row, one change.
    await inbound.onContacts([{ id: '77@lid', phoneNumber: BOB, name: 'Robert' }]);
    const kept = await drainOutbox();
    expect(kept).toEqual([
      expect.objectContaining({ id: BOB, notify: 'Bob' }),
      expect.objectContaining({ id: BOB, lid: '77@lid', name: 'Robert', notify: 'Bob' }),
    ]);
    expect(published.map((e) => (e.envelope as { data: unknown }).data)).toEqual(
      kept.map((contact) => ({ contactId: BOB, contact })),
    );
  });

  it('reports about one contact are applied in the order they came, each change announced once', async () => {
    // The first report's write is slow (a busy database): the later ones wait for it rather than
    // overtake it, so the stored name is the last one reported.
    const { inbound, sessionId } = await crashingAfterCommit({ slowFirstWrite: true });
    await Promise.all([
      inbound.onContacts([{ id: BOB, notify: 'One' }]),
      inbound.onContacts([{ id: BOB, notify: 'Two' }]),
      inbound.onContacts([{ id: BOB, notify: 'Two' }]),
    ]);
    expect((await drainOutbox()).map((c) => c.notify)).toEqual(['One', 'Two']);
    expect((await db.repos.contacts.findByAddresses(sessionId, [BOB]))[0]?.notify).toBe('Two');
  });
});
