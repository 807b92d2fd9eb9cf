import {
  type BatchCounts,
  createDatabase,
  type Database,
  type Message,
  type MessagesRepository,
} from '@wagw/db';
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
    batchCompletedEvent: (counts: BatchCounts) => ({
      id: `batch.${counts.batchId}.completed`,
      sessionId: counts.sessionId,
      envelope: {
        status: `batch.completed ${counts.total}: ${counts.counts.sent} sent, ${counts.counts.failed} failed`,
      },
    }),
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

  it('announces a batch once, from the change that settles its last message, in that transaction', async () => {
    const { tracker, row, published } = await setup();
    const batchId = `B${Math.random().toString(36).slice(2)}`;
    const rows = await db.repos.messages.insertMany(
      ['a', 'b', 'c'].map((text) => ({
        sessionId: row.sessionId,
        direction: 'outbound' as const,
        remoteJid: '15550001111@s.whatsapp.net',
        type: 'text',
        payload: { type: 'text', text },
        batchId,
      })),
    );
    const batchEvents = () => published.filter((p) => p.startsWith('batch.completed'));
    const [a, b, c] = rows;
    await tracker.advance((await tracker.advance(a!, 'sending'))!, 'sent');
    await tracker.advance((await tracker.advance(b!, 'sending'))!, 'failed', 'not on WhatsApp');
    expect(batchEvents()).toEqual([]);
    const cSending = await tracker.advance(c!, 'sending');
    expect(batchEvents()).toEqual([]);
    await tracker.advance(cSending!, 'sent');
    expect(batchEvents()).toEqual(['batch.completed 3: 2 sent, 1 failed']);
    // Written with the settling change: a crash before the publish leaves it to the outbox relay.
    const stored = await db.repos.eventOutbox.claimStale(new Date(Date.now() + 60_000), 1, 1000);
    expect(stored.filter((e) => e.id === `batch.${batchId}.completed`)).toHaveLength(1);
    // Receipts after that (delivered, read) settle nothing again.
    await tracker.advance((await db.repos.messages.getById(c!.id))!, 'delivered');
    expect(batchEvents()).toHaveLength(1);
  });
});
