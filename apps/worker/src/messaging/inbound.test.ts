import type { NewMessage } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import type { WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it, vi } from 'vitest';
import type { SpoolWrite } from './db-spool.js';
import { createInbound, type InboundDeps } from './inbound.js';

const logger = createLogger({ name: 'test', level: 'silent' });

function message(id: string, text: string | null, fromMe = false): WAMessage {
  return {
    key: { id, remoteJid: '15557654321@s.whatsapp.net', fromMe },
    message: text === null ? null : { conversation: text },
    messageTimestamp: 1_700_000_000,
    pushName: 'Bob',
  } as WAMessage;
}

function setup(failFor?: string, extra: Pick<InboundDeps, 'lidPairs'> = {}) {
  const stored = new Map<string, NewMessage>();
  const repos = {
    messages: {
      insertInboundIgnoringDuplicates: vi.fn(async (input: NewMessage & { waMessageId: string }) => {
        if (input.waMessageId === failFor) throw new Error('disk I/O error');
        if (stored.has(input.waMessageId)) return false;
        stored.set(input.waMessageId, input);
        return true;
      }),
    },
    contacts: { upsertMany: vi.fn(async () => []) },
  };
  const events = {
    received: vi.fn(async () => undefined),
    status: vi.fn(async () => undefined),
    batchCompletedEvent: vi.fn(() => ({ id: 'batch', sessionId: 's1', envelope: {} })),
    mediaCounted: vi.fn(async () => undefined),
    statusEvent: vi.fn(() => ({ id: 'status', sessionId: 's1', envelope: {} })),
    receivedEvent: vi.fn((sessionId: string, row: { id: string }) => ({
      id: `message.${row.id}.received`,
      sessionId,
      envelope: {},
    })),
    publishStored: vi.fn(async () => undefined),
    flush: vi.fn(async () => undefined),
  };
  const media = { store: vi.fn(async () => true) };
  const inbound = createInbound({
    sessionId: 's1',
    logger,
    repos: repos as never,
    db: (fn) => fn(),
    events,
    media,
    mediaMaxBytes: 64 * 1024 * 1024,
    ...extra,
  });
  return { inbound, stored, repos, events, media };
}

describe('inbound', () => {
  it('stores each message once and publishes only new ones', async () => {
    const { inbound, stored, events, repos } = setup();
    await inbound.onMessages([message('A', 'one'), message('B', 'two')]);
    await inbound.onMessages([message('A', 'one again'), message('C', 'three')]);
    expect([...stored.keys()]).toEqual(['A', 'B', 'C']);
    expect(stored.get('A')?.payload).toMatchObject({ text: 'one' });
    expect(stored.get('A')?.createdAt).toEqual(new Date(1_700_000_000_000));
    // Each new row's event is written with it and published; a duplicate publishes nothing.
    expect(events.publishStored).toHaveBeenCalledTimes(3);
    expect(repos.messages.insertInboundIgnoringDuplicates).toHaveBeenCalledWith(expect.anything(), {
      event: expect.objectContaining({ sessionId: 's1' }),
    });
    expect(events.receivedEvent).toHaveBeenCalledWith(
      's1',
      expect.objectContaining({
        waMessageId: 'A',
        type: 'text',
        payload: { text: 'one', from: { jid: '15557654321@s.whatsapp.net', lid: null, pushName: 'Bob' } },
        createdAt: new Date(1_700_000_000_000),
      }),
    );
  });

  it('hands media messages to the media part with the key WhatsApp sent, and announces nothing itself', async () => {
    const { inbound, stored, events, media } = setup();
    const photo = {
      ...message('IMG', null),
      key: { id: 'IMG', remoteJid: '888@lid', remoteJidAlt: '15557654321@s.whatsapp.net', fromMe: false },
      message: {
        imageMessage: { mediaKey: new Uint8Array(32), directPath: '/v/t62/1.enc', mimetype: 'image/jpeg' },
      },
    } as WAMessage;
    await inbound.onMessages([photo]);
    expect(stored.size).toBe(0);
    expect(events.publishStored).not.toHaveBeenCalled();
    expect(media.store).toHaveBeenCalledWith(
      expect.objectContaining({
        waMessageId: 'IMG',
        remoteJid: '15557654321@s.whatsapp.net',
        type: 'image',
        payload: {
          mimetype: 'image/jpeg',
          media: { pending: true },
          from: { jid: '15557654321@s.whatsapp.net', lid: '888@lid', pushName: 'Bob' },
        },
      }),
      expect.objectContaining({ type: 'image', download: expect.objectContaining({ mediaType: 'image' }) }),
      { id: 'IMG', remoteJid: '888@lid' },
    );
  });

  it('stores mentions by phone number with the LID the key store knows; without it, as WhatsApp named them', async () => {
    const mentioned = {
      ...message('G1', null),
      key: {
        id: 'G1',
        remoteJid: '120363000000000001@g.us',
        participant: '9003@lid',
        participantAlt: '15550003@s.whatsapp.net',
        fromMe: false,
      },
      message: {
        extendedTextMessage: { text: '@9001 @9002', contextInfo: { mentionedJid: ['9001@lid', '9002@lid'] } },
      },
    } as WAMessage;
    const asked: string[][] = [];
    const known = setup(undefined, {
      lidPairs: async (jids) => {
        asked.push(jids);
        return [{ pn: '15550001@s.whatsapp.net', lid: '9001@lid' }];
      },
    });
    await known.inbound.onMessages([mentioned]);
    expect(asked).toEqual([['9001@lid', '9002@lid']]);
    expect(known.stored.get('G1')?.payload).toMatchObject({
      chatId: '120363000000000001@g.us',
      author: '15550003@s.whatsapp.net',
      mentions: [
        { jid: '15550001@s.whatsapp.net', lid: '9001@lid' },
        { jid: '9002@lid', lid: '9002@lid' },
      ],
    });

    const failing = setup(undefined, {
      lidPairs: async () => Promise.reject(new Error('database is locked')),
    });
    await failing.inbound.onMessages([mentioned]);
    expect(failing.stored.get('G1')?.payload.mentions).toEqual([
      { jid: '9001@lid', lid: '9001@lid' },
      { jid: '9002@lid', lid: '9002@lid' },
    ]);
    await failing.inbound.onMessages([message('N', 'nobody mentioned')]);
    expect(failing.stored.get('N')?.payload).not.toHaveProperty('mentions');
  });

  it('one message that fails to store does not stop the batch', async () => {
    const { inbound, stored, repos } = setup('B');
    await inbound.onMessages([message('A', 'one'), message('B', 'two'), message('C', 'three')]);
    expect([...stored.keys()]).toEqual(['A', 'C']);
    expect(repos.contacts.upsertMany).toHaveBeenCalledWith('s1', [
      { jid: '15557654321@s.whatsapp.net', lid: null, notify: 'Bob' },
    ]);
  });

  it('skips own messages, stubs without content (undecryptable) and protocol messages', async () => {
    const { inbound, stored } = setup();
    const protocol = { ...message('P', null), message: { protocolMessage: { type: 0 } } } as WAMessage;
    await inbound.onMessages([message('M', 'mine', true), message('S', null), protocol]);
    expect(stored.size).toBe(0);
  });

  it('spools a message the database is unavailable for, and a replay stores and announces it once', async () => {
    const { stored, events, repos } = setup();
    const locked = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    repos.messages.insertInboundIgnoringDuplicates.mockRejectedValueOnce(locked);
    const spooled: SpoolWrite[] = [];
    const withSpool = createInbound({
      sessionId: 's1',
      logger,
      repos: repos as never,
      db: (fn) => fn(),
      events,
      media: { store: vi.fn(async () => true) },
      mediaMaxBytes: 1024,
      spool: async (write) => {
        spooled.push(write);
        return true;
      },
    });
    // Baileys' timestamps are protobufjs Longs: the spooled copy is plain JSON with a number.
    const long = { low: 1_700_000_001, high: 0, unsigned: true, toNumber: () => 1_700_000_001 };
    await withSpool.onMessages([{ ...message('L', 'late'), messageTimestamp: long } as unknown as WAMessage]);
    expect(stored.size).toBe(0);
    expect(spooled).toHaveLength(1);
    const write = spooled[0];
    if (write?.kind !== 'inbound') throw new Error('expected an inbound write');
    await withSpool.replay(write.message);
    await withSpool.replay(write.message);
    expect([...stored.keys()]).toEqual(['L']);
    expect(stored.get('L')?.createdAt).toEqual(new Date(1_700_000_001_000));
    expect(events.publishStored).toHaveBeenCalledTimes(1);
  });

  it('does not spool an error of the write itself', async () => {
    const { repos, events } = setup();
    repos.messages.insertInboundIgnoringDuplicates.mockRejectedValueOnce(
      Object.assign(new Error('CHECK constraint failed'), { code: 'SQLITE_CONSTRAINT_CHECK' }),
    );
    const spool = vi.fn(async () => true);
    const withSpool = createInbound({
      sessionId: 's1',
      logger,
      repos: repos as never,
      db: (fn) => fn(),
      events,
      media: { store: vi.fn(async () => true) },
      mediaMaxBytes: 1024,
      spool,
    });
    await withSpool.onMessages([message('X', 'bad')]);
    expect(spool).not.toHaveBeenCalled();
  });
});
