import type { MediaDownload, Message, NewMessage } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import type { MediaInfo, MediaStore, MediaView } from '@wagw/media';
import { describe, expect, it, vi } from 'vitest';
import type { ReceivedMessage } from '../messaging/message-events.js';
import type { InboundMediaDescriptor } from './inbound-descriptor.js';
import type { InboundDownloadDeps } from './inbound-download.js';
import { createInboundMedia } from './inbound-media.js';
import type { WorkerMedia } from './worker-media.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const KEY = { id: 'WA', remoteJid: '15550001111@s.whatsapp.net' };
const part = { mediaType: 'image' as const, directPath: '/v/t62/1.enc', mediaKey: 'a2V5', fileLength: 10 };

/** In-memory messages and media_downloads with the repositories' semantics. */
function fakeDb() {
  const messages = new Map<string, Message>();
  const downloads = new Map<string, MediaDownload>();
  const toRow = (input: NewMessage): Message =>
    ({ ...input, status: 'received', mediaId: null, createdAt: input.createdAt ?? new Date() }) as Message;
  const duplicate = (input: NewMessage) =>
    [...messages.values()].some((m) => m.waMessageId === input.waMessageId);
  const repos = {
    messages: {
      getById: vi.fn(async (id: string) => messages.get(id) ?? null),
      insertInboundIgnoringDuplicates: vi.fn(async (input: NewMessage) => {
        if (duplicate(input)) return false;
        messages.set(input.id as string, toRow(input));
        return true;
      }),
      updateMedia: vi.fn(async (id: string, payload: Record<string, unknown>, mediaId: string | null) => {
        const row = messages.get(id);
        if (!row) return null;
        const updated = { ...row, payload, mediaId };
        messages.set(id, updated);
        return updated;
      }),
    },
    mediaDownloads: {
      insertWithMessage: vi.fn(async (input: NewMessage, descriptor: Record<string, unknown>) => {
        if (duplicate(input)) return false;
        messages.set(input.id as string, toRow(input));
        const messageId = input.id as string;
        downloads.set(messageId, { messageId, sessionId: 's1', descriptor, createdAt: new Date() });
        return true;
      }),
      listBySession: vi.fn(async () => [...downloads.values()]),
      delete: vi.fn(async (id: string) => downloads.delete(id)),
    },
  };
  return { messages, downloads, repos };
}

type Gate = { descriptor: InboundMediaDescriptor; deps: InboundDownloadDeps; finish: (r: unknown) => void };

function setup(options: { concurrency?: number; secret?: string } = {}) {
  const db = fakeDb();
  const gates: Gate[] = [];
  let active = 0;
  let maxActive = 0;
  const downloader = vi.fn(
    (descriptor: InboundMediaDescriptor, deps: InboundDownloadDeps) =>
      new Promise<MediaInfo>((resolve, reject) => {
        active++;
        maxActive = Math.max(maxActive, active);
        const finish = (result: unknown) => {
          active--;
          if (result instanceof Error) reject(result);
          else resolve(result as MediaInfo);
        };
        deps.signal.addEventListener('abort', () => finish(new Error('aborted')));
        gates.push({ descriptor, deps, finish });
      }),
  );
  const events = {
    received: vi.fn(async (_sessionId: string, _message: ReceivedMessage, _view?: MediaView) => undefined),
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
  const media = {
    store: {} as MediaStore,
    transport: undefined,
    config: {
      maxBytes: 64 * 1024 * 1024,
      inboundConcurrency: options.concurrency ?? 2,
      urlSecret: options.secret,
      urlTtlMs: 60_000,
      publicUrl: 'https://gw.example',
    },
  } as unknown as WorkerMedia;
  const inbound = createInboundMedia({
    sessionId: 's1',
    logger,
    repos: db.repos as never,
    db: (fn) => fn(),
    events,
    media,
    socket: () => undefined,
    downloader,
  });
  return { ...db, gates, downloader, events, inbound, concurrency: () => maxActive };
}

const row = (n: number, payload: Record<string, unknown> = {}) => ({
  id: `m${n}`,
  sessionId: 's1',
  direction: 'inbound' as const,
  waMessageId: `WA${n}`,
  remoteJid: KEY.remoteJid,
  type: 'image',
  payload: { caption: `c${n}`, media: { pending: true }, from: { jid: KEY.remoteJid }, ...payload },
  createdAt: new Date(1_700_000_000_000),
});
const stored = (n: number): MediaInfo => ({
  id: `${n}`.repeat(64).slice(0, 64),
  sha256: `${n}`.repeat(64).slice(0, 64),
  size: 1000 + n,
  mimetype: 'image/jpeg',
  createdAt: new Date(),
});
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('inbound media', () => {
  it('stores at once, downloads at most MEDIA_INBOUND_CONCURRENCY at a time, then announces with a signed link', async () => {
    const t = setup({ concurrency: 2, secret: 'link-secret' });
    const extracted = { type: 'image' as const, payload: {}, download: part };
    for (let n = 0; n < 5; n++) expect(await t.inbound.store(row(n), extracted, KEY)).toBe(true);
    // Stored and pending, nothing announced: the caller was not held up by any download.
    expect(t.messages.size).toBe(5);
    expect(t.downloads.size).toBe(5);
    await tick();
    expect(t.gates).toHaveLength(2);
    expect(t.events.received).not.toHaveBeenCalled();
    for (let n = 0; n < 5; n++) {
      await vi.waitFor(() => expect(t.gates.length).toBeGreaterThan(n));
      t.gates[n]?.finish(stored(n));
    }
    await vi.waitFor(() => expect(t.events.received).toHaveBeenCalledTimes(5));
    expect(t.concurrency()).toBe(2);
    expect(t.downloads.size).toBe(0);
    expect(t.messages.get('m3')).toMatchObject({
      mediaId: stored(3).id,
      payload: { caption: 'c3', media: { id: stored(3).id, sha256: stored(3).sha256, size: 1003 } },
    });
    const [, message, view] = t.events.received.mock.calls.find((c) => c[1].id === 'm3') ?? [];
    expect(message?.payload.media).toMatchObject({ id: stored(3).id });
    expect(view).toMatchObject({ type: 'image', id: stored(3).id, size: 1003, caption: 'c3' });
    expect(view?.url).toMatch(/^https:\/\/gw\.example\/api\/media\/3{64}\?expires=\d+&signature=/);
    // The descriptor handed to the downloader has the message key; the stored payload has no secret.
    expect(t.gates[0]?.descriptor).toMatchObject({ ...part, key: KEY });
    expect(JSON.stringify([...t.messages.values()])).not.toContain('a2V5');
    expect(t.events.mediaCounted).toHaveBeenCalledWith('received', 1003);
  });

  it('a download that fails for good leaves the message with media.error and still announces it', async () => {
    const t = setup();
    await t.inbound.store(row(1), { type: 'image', payload: {}, download: part }, KEY);
    await vi.waitFor(() => expect(t.gates).toHaveLength(1));
    t.gates[0]?.finish(new Error('socket hang up'));
    await vi.waitFor(() => expect(t.events.received).toHaveBeenCalledTimes(1));
    const error = 'the download failed after 3 attempts: socket hang up';
    expect(t.messages.get('m1')?.payload.media).toEqual({ error });
    expect(t.messages.get('m1')?.mediaId).toBeNull();
    expect(t.events.received.mock.calls[0]).toEqual([
      's1',
      expect.objectContaining({ id: 'm1' }),
      { type: 'image', caption: 'c1', error },
    ]);
    expect(t.events.mediaCounted).toHaveBeenCalledWith('failed', 10);
    expect(t.downloads.size).toBe(0);
  });

  it('without a link secret the view has no url; a duplicate is neither stored nor downloaded twice', async () => {
    const t = setup();
    await t.inbound.store(row(1), { type: 'image', payload: {}, download: part }, KEY);
    expect(
      await t.inbound.store({ ...row(1), id: 'other' }, { type: 'image', payload: {}, download: part }, KEY),
    ).toBe(false);
    await vi.waitFor(() => expect(t.gates).toHaveLength(1));
    t.gates[0]?.finish(stored(1));
    await vi.waitFor(() => expect(t.events.received).toHaveBeenCalledTimes(1));
    expect(t.events.received.mock.calls[0]?.[2]).not.toHaveProperty('url');
    expect(t.downloader).toHaveBeenCalledTimes(1);
  });

  it('a file refused unread is stored and announced at once, without a download', async () => {
    const t = setup();
    const refused = row(1, { media: { error: 'too big' } });
    expect(await t.inbound.store(refused, { type: 'image', payload: {} }, KEY)).toBe(true);
    expect(t.downloads.size).toBe(0);
    expect(t.events.received).toHaveBeenCalledWith(
      's1',
      expect.objectContaining({ id: 'm1' }),
      expect.objectContaining({ error: 'too big' }),
    );
    expect(t.events.mediaCounted).toHaveBeenCalledWith('failed', 0);
    expect(t.downloader).not.toHaveBeenCalled();
  });

  it('dispose stops downloads and keeps their descriptors for the next owner, announcing nothing', async () => {
    const t = setup({ concurrency: 1 });
    await t.inbound.store(row(1), { type: 'image', payload: {}, download: part }, KEY);
    await t.inbound.store(row(2), { type: 'image', payload: {}, download: part }, KEY);
    await vi.waitFor(() => expect(t.gates).toHaveLength(1));
    await t.inbound.dispose();
    expect(t.gates[0]?.deps.signal.aborted).toBe(true);
    expect(t.downloader).toHaveBeenCalledTimes(1);
    expect(t.downloads.size).toBe(2);
    expect(t.events.received).not.toHaveBeenCalled();
    expect(t.messages.get('m1')?.payload.media).toEqual({ pending: true });
  });

  it('resume downloads what is pending, only announces what was settled, and skips what runs already', async () => {
    const t = setup({ concurrency: 4 });
    const put = (n: number, payload: Record<string, unknown>, descriptor: Record<string, unknown>) => {
      const r = row(n, payload);
      t.messages.set(r.id, { ...r, status: 'received', mediaId: null } as unknown as Message);
      t.downloads.set(r.id, { messageId: r.id, sessionId: 's1', descriptor, createdAt: new Date() });
    };
    const descriptor = { ...part, key: KEY };
    put(1, {}, descriptor);
    put(
      2,
      { media: { id: 'f'.repeat(64), sha256: 'f'.repeat(64), size: 5, mimetype: 'image/png' } },
      descriptor,
    );
    put(3, {}, { mediaType: 'image' });
    await t.inbound.resume();
    await t.inbound.resume();
    await vi.waitFor(() => expect(t.events.received).toHaveBeenCalledTimes(2));
    expect(t.downloader).toHaveBeenCalledTimes(1);
    expect(t.messages.get('m3')?.payload.media).toEqual({
      error: 'the stored download descriptor is not readable',
    });
    expect([...t.downloads.keys()]).toEqual(['m1']);
    t.gates[0]?.finish(stored(1));
    await vi.waitFor(() => expect(t.events.received).toHaveBeenCalledTimes(3));
    expect(t.downloads.size).toBe(0);
    expect(t.downloader).toHaveBeenCalledTimes(1);
  });
});
