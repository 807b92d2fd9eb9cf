import { createDatabase, type Database, type Message, type MessagesRepository } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { tempSqliteUrl } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageEvents } from '../src/messaging/message-events.js';
import { createStatusTracker } from '../src/messaging/status-tracker.js';

const SERVER_ACK = 2;
const DELIVERY_ACK = 3;
const READ = 4;

let db: Database;
const sqlite = tempSqliteUrl();
beforeAll(async () => {
  db = await createDatabase({ url: sqlite.url });
  await db.migrate();
});
afterAll(async () => {
  await db.close();
  sqlite.cleanup();
});

/** A tracker over the real repository, counting the reads of message rows and the events published. */
async function setup() {
  const session = await db.repos.sessions.create({ name: `tracker-${Math.random()}` });
  let reads = 0;
  const messages: MessagesRepository = {
    ...db.repos.messages,
    getById: (id, ...rest) => {
      reads++;
      return db.repos.messages.getById(id, ...rest);
    },
    getByWaId: (sessionId, waId) => {
      reads++;
      return db.repos.messages.getByWaId(sessionId, waId);
    },
  };
  const published: string[] = [];
  // Status events go through the event outbox: built with the update, published after the commit.
  const events = {
    statusEvent: (row: Message) => ({
      id: `status-${row.id}-${row.status}`,
      sessionId: row.sessionId,
      envelope: { status: row.status },
    }),
    publishStored: async (event: { envelope: { status: string } }) =>
      void published.push(event.envelope.status),
    batchCompleted: async () => undefined,
  } as unknown as MessageEvents;
  const tracker = createStatusTracker({
    sessionId: session.id,
    logger: createLogger({ name: 'test', level: 'silent' }),
    repos: { messages },
    db: (fn) => fn(),
    events,
  });
  const row = await db.repos.messages.insert({
    sessionId: session.id,
    direction: 'outbound',
    remoteJid: '15550001111@s.whatsapp.net',
    type: 'text',
    payload: { type: 'text', text: 'hi' },
    waMessageId: `WA${Math.random().toString(36).slice(2)}`,
  });
  const receipt = (status: number) =>
    tracker.onUpdate([{ key: { fromMe: true, id: row.waMessageId }, update: { status } }]);
  return { tracker, row, receipt, reads: () => reads, published };
}

describe('status tracker', () => {
  it('decides the receipts that follow a send on the row it wrote, without reading it again', async () => {
    const { tracker, row, receipt, reads, published } = await setup();
    const sending = await tracker.advance(row, 'sending');
    await tracker.advance(sending!, 'sent');
    // The server ack repeats `sent` (nothing to do); delivery and read move the row on.
    await receipt(SERVER_ACK);
    await receipt(DELIVERY_ACK);
    await receipt(READ);
    expect((await db.repos.messages.getById(row.id))?.status).toBe('read');
    expect(published).toEqual(['sending', 'sent', 'delivered', 'read']);
    expect(reads()).toBe(0);
  });

  it('reads the row when its remembered copy is out of date, and never moves it back', async () => {
    const { tracker, row, receipt, reads, published } = await setup();
    const sending = await tracker.advance(row, 'sending');
    await tracker.advance(sending!, 'sent');
    // Changed behind the tracker's back (as a receipt handled by another owner would).
    await db.repos.messages.updateStatus(row.id, 'read', null);
    await receipt(DELIVERY_ACK);
    expect((await db.repos.messages.getById(row.id))?.status).toBe('read');
    expect(published).toEqual(['sending', 'sent']);
    expect(reads()).toBe(1);
  });

  it('reads once for a receipt about a row it has not written', async () => {
    const { receipt, reads, row } = await setup();
    await db.repos.messages.updateStatus(row.id, 'sent', null);
    await receipt(DELIVERY_ACK);
    expect((await db.repos.messages.getById(row.id))?.status).toBe('delivered');
    expect(reads()).toBe(1);
  });
});
