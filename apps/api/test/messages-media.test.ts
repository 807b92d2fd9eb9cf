import { Readable } from 'node:stream';
import { metricsKeys, sendQueueName } from '@wagw/queue';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH } from './api-test-app.js';
import { type SampleKind, sample } from './media-samples.js';
import { type MediaApp, pdf, png, sha256, startMediaApp } from './media-test-app.js';

// Sending media through POST /api/sessions/:id/messages (docs/media.md): each kind from base64,
// from a stored id and from a URL, and every bad input with its own code. Real Redis, SQLite and
// a filesystem store; files made by ffmpeg.
const INLINE_MAX = 64 * 1024;
let m: MediaApp;
let queue: Queue;
/** While true the store fails as a full disk or an unreachable bucket would. */
let storeDown = false;
const broken = () => Promise.reject(new Error('EIO: i/o error'));

beforeAll(async () => {
  m = await startMediaApp({
    media: { base64MaxBytes: INLINE_MAX },
    wrapStore: (store) => ({
      ...store,
      put: (source, options) => (storeDown ? broken() : store.put(source, options)),
      stat: (id) => (storeDown ? broken() : store.stat(id)),
    }),
  });
  queue = new Queue(sendQueueName(m.sessionId), { connection: m.redis, prefix: m.prefix });
  queue.on('error', () => {});
});
afterAll(async () => {
  await queue.close();
  await m.close();
});

const send = (body: unknown, headers: Record<string, string> = {}) =>
  m.app.inject({
    method: 'POST',
    url: `/api/sessions/${m.sessionId}/messages`,
    headers: { ...AUTH, ...headers },
    payload: body as object,
  });
const to = '4915112345678';
const b64 = (bytes: Buffer) => bytes.toString('base64');

async function storedIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of m.store.list()) ids.push(item.id);
  return ids.sort();
}
const rowCount = async () => (await m.db.repos.messages.countByStatus(m.sessionId)).queued;
const storedCounter = async () => m.redis.hgetall(metricsKeys(m.prefix).media);

/** One file per kind, with the type the sniffer names it. */
const KINDS: Array<{ type: string; kind: SampleKind | 'pdf'; mimetype: string; extra?: object }> = [
  { type: 'image', kind: 'jpeg', mimetype: 'image/jpeg', extra: { caption: 'a photo' } },
  { type: 'video', kind: 'mp4', mimetype: 'video/mp4', extra: { caption: 'a clip' } },
  { type: 'audio', kind: 'mp3', mimetype: 'audio/mpeg' },
  { type: 'voice', kind: 'opus', mimetype: 'audio/ogg; codecs=opus' },
  { type: 'document', kind: 'pdf', mimetype: 'application/pdf', extra: { fileName: 'invoice.pdf' } },
  { type: 'sticker', kind: 'webp', mimetype: 'image/webp' },
];
const bytesOf = (kind: SampleKind | 'pdf', variant: number) => (kind === 'pdf' ? pdf : sample(kind, variant));

/** The row and job of an accepted send, checked against the file it carries. */
async function expectQueued(id: string, type: string, bytes: Buffer, mimetype: string, extra: object = {}) {
  const row = await m.db.repos.messages.getById(id);
  const media = { id: sha256(bytes), sha256: sha256(bytes), size: bytes.length, mimetype };
  expect(row).toMatchObject({
    type,
    status: 'queued',
    mediaId: media.id,
    payload: { type, media, ...extra },
  });
  expect(await queue.getJob(id)).toMatchObject({ name: 'send', data: { messageId: id } });
}

describe('media from base64', () => {
  it('stores each kind (sniffed type), references it from the row and enqueues the send', async () => {
    for (const [i, { type, kind, mimetype, extra }] of KINDS.entries()) {
      const bytes = bytesOf(kind, 100 + i);
      const before = await storedCounter();
      const res = await send({ to, type, media: { base64: b64(bytes) }, ...extra });
      expect(res.statusCode, `${type}: ${res.body}`).toBe(202);
      await expectQueued(res.json().id, type, bytes, mimetype, extra);
      const stored = await m.store.get(sha256(bytes));
      expect(Buffer.concat(await stored.stream.toArray())).toEqual(bytes);
      const after = await storedCounter();
      expect(Number(after['stored:count'] ?? 0) - Number(before['stored:count'] ?? 0)).toBe(1);
      expect(Number(after['stored:bytes'] ?? 0) - Number(before['stored:bytes'] ?? 0)).toBe(bytes.length);
    }
  });

  it('accepts the URL-safe alphabet and unpadded text', async () => {
    const bytes = sample('jpeg', 120);
    const urlSafe = bytes.toString('base64url');
    const res = await send({ to, type: 'image', media: { base64: urlSafe } });
    expect(res.statusCode).toBe(202);
    await expectQueued(res.json().id, 'image', bytes, 'image/jpeg');
  });

  it('a declared mimetype that agrees is kept beside the sniffed one, an alias under its registered name', async () => {
    const bytes = sample('jpeg', 121);
    const res = await send({ to, type: 'image', media: { base64: b64(bytes) }, mimetype: 'image/jpg' });
    expect(res.statusCode).toBe(202);
    await expectQueued(res.json().id, 'image', bytes, 'image/jpeg', { mimetype: 'image/jpeg' });
    const opus = sample('opus', 123);
    const declared = 'audio/ogg; codecs=opus';
    const voice = await send({ to, type: 'voice', media: { base64: b64(opus) }, mimetype: declared });
    expect(voice.statusCode).toBe(202);
    await expectQueued(voice.json().id, 'voice', opus, declared, { mimetype: declared });
  });

  it('a text file as a document: unknown to the sniffer, taken with the declared type', async () => {
    const bytes = Buffer.from('name,amount\nalice,3\n');
    const body = { to, type: 'document', media: { base64: b64(bytes) }, mimetype: 'text/csv' };
    const res = await send({ ...body, fileName: 'report.csv' });
    expect(res.statusCode).toBe(202);
    await expectQueued(res.json().id, 'document', bytes, 'application/octet-stream', {
      mimetype: 'text/csv',
      fileName: 'report.csv',
    });
  });

  it('replays under the same Idempotency-Key: one row, one stored file', async () => {
    const bytes = sample('jpeg', 122);
    const body = { to, type: 'image', media: { base64: b64(bytes) } };
    const headers = { 'idempotency-key': `media-${Date.now()}` };
    const first = await send(body, headers);
    const rows = await rowCount();
    const second = await send(body, headers);
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json().id).toBe(first.json().id);
    expect(await rowCount()).toBe(rows);
  });
});

describe('media from a stored id', () => {
  it('sends each kind by id with the stored description, and stores nothing new', async () => {
    for (const [i, { type, kind, mimetype, extra }] of KINDS.entries()) {
      const bytes = bytesOf(kind, 200 + i);
      const info = await m.store.put(Readable.from([bytes]), { maxBytes: INLINE_MAX });
      const before = await storedIds();
      const res = await send({ to, type, media: { id: info.id }, ...extra });
      expect(res.statusCode, `${type}: ${res.body}`).toBe(202);
      await expectQueued(res.json().id, type, bytes, mimetype, extra);
      expect(await storedIds()).toEqual(before);
    }
  });

  it('an unknown or malformed id → 404 MEDIA_NOT_FOUND, no row', async () => {
    const rows = await rowCount();
    for (const id of ['f'.repeat(64), '../../etc/passwd']) {
      const res = await send({ to, type: 'image', media: { id } });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'MEDIA_NOT_FOUND', details: { path: 'media.id' } });
    }
    expect(await rowCount()).toBe(rows);
  });
});

describe('media from a URL', () => {
  it('is stored as given for the worker to fetch; the API fetches and stores nothing', async () => {
    const before = await storedIds();
    const url = 'https://cdn.example.com/files/photo.jpg?sig=abc';
    const res = await send({ to, type: 'image', media: { url }, caption: 'later' });
    expect(res.statusCode).toBe(202);
    const row = await m.db.repos.messages.getById(res.json().id);
    expect(row).toMatchObject({
      mediaId: null,
      payload: { type: 'image', media: { url }, caption: 'later' },
    });
    expect(await queue.getJob(res.json().id)).toMatchObject({ name: 'send' });
    expect(await storedIds()).toEqual(before);
  });

  it('refuses other schemes, credentials and URLs over 4096 characters with 400', async () => {
    for (const url of [
      'ftp://example.com/a.jpg',
      'https://user:secret@example.com/a.jpg',
      `https://example.com/${'a'.repeat(4100)}`,
      'not a url',
    ]) {
      const res = await send({ to, type: 'image', media: { url } });
      expect(res.statusCode, url.slice(0, 40)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
  });

  it('a declared type the kind cannot carry is refused before any fetch (422)', async () => {
    const res = await send({
      to,
      type: 'sticker',
      media: { url: 'https://example.com/s' },
      mimetype: 'image/png',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA');
  });
});

describe('bad input', () => {
  it('base64 over the cap → 413 from its length alone, before decoding; nothing stored', async () => {
    const before = await storedIds();
    const rows = await rowCount();
    // Not base64 at all: had it been decoded or checked first, this would be a 400.
    const tooLong = '!'.repeat(Math.ceil((INLINE_MAX * 4) / 3) + 8);
    const res = await send({ to, type: 'image', media: { base64: tooLong } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { path: 'media.base64', maxBytes: INLINE_MAX, size: INLINE_MAX + 6 },
    });
    // One byte over the cap, valid base64: 413 too; exactly the cap would pass the size check.
    const over = await send({
      to,
      type: 'document',
      media: { base64: b64(Buffer.alloc(INLINE_MAX + 1, 7)) },
    });
    expect(over.statusCode).toBe(413);
    expect(await storedIds()).toEqual(before);
    expect(await rowCount()).toBe(rows);
  });

  it('invalid base64 → 400 VALIDATION_FAILED on media.base64 (a data: URL gets a hint)', async () => {
    for (const base64 of ['abc$', 'QUJD=', 'Q', 'QU-D+w==', '==', 'QUJD QUJD']) {
      const res = await send({ to, type: 'document', media: { base64 } });
      expect(res.statusCode, base64).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: { path: 'media.base64' } });
    }
    const dataUrl = await send({
      to,
      type: 'image',
      media: { base64: `data:image/png;base64,${b64(png())}` },
    });
    expect(dataUrl.json().message).toContain('not a data: URL');
  });

  it('a PNG sticker and a JPEG declared as PNG → 422 UNSUPPORTED_MEDIA, nothing stored', async () => {
    const before = await storedIds();
    const sticker = await send({ to, type: 'sticker', media: { base64: b64(png()) } });
    expect(sticker.statusCode).toBe(422);
    expect(sticker.json()).toMatchObject({
      code: 'UNSUPPORTED_MEDIA',
      message: 'a sticker cannot be image/png',
    });
    const jpeg = sample('jpeg', 130);
    const lying = await send({ to, type: 'image', media: { base64: b64(jpeg) }, mimetype: 'image/png' });
    expect(lying.statusCode).toBe(422);
    expect(lying.json()).toMatchObject({
      code: 'UNSUPPORTED_MEDIA',
      message: 'the file is image/jpeg, not image/png as declared',
    });
    const pdfAsImage = await send({ to, type: 'image', media: { base64: b64(pdf) } });
    expect(pdfAsImage.statusCode).toBe(422);
    expect(await storedIds()).toEqual(before);
  });

  it('a stored file of the wrong kind is refused by id too (422)', async () => {
    const info = await m.store.put(Readable.from([png()]), { maxBytes: INLINE_MAX });
    const res = await send({ to, type: 'video', media: { id: info.id } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA', message: 'a video cannot be image/png' });
  });

  it('caption on voice, audio or sticker, fileName off documents → 400 naming the field', async () => {
    const media = { base64: b64(sample('opus', 140)) };
    const cases = [
      [{ type: 'voice', caption: 'hi' }, 'voice messages take no caption'],
      [{ type: 'audio', caption: 'hi' }, 'audio messages take no caption'],
      [{ type: 'sticker', caption: 'hi' }, 'sticker messages take no caption'],
      [{ type: 'image', fileName: 'a.jpg' }, 'image messages take no fileName'],
    ] as const;
    for (const [fields, message] of cases) {
      const res = await send({ to, media, ...fields });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(res.json().message).toContain(message);
    }
  });

  it('media must name exactly one source', async () => {
    for (const media of [{}, { url: 'https://example.com/a.jpg', id: 'f'.repeat(64) }, { base64: '' }]) {
      const res = await send({ to, type: 'image', media });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    expect((await send({ to, type: 'image' })).statusCode).toBe(400);
  });
});

describe('store unavailable', () => {
  it('→ 503 MEDIA_STORE_UNAVAILABLE for base64 and id; no row is written', async () => {
    const rows = await rowCount();
    const info = await m.store.put(Readable.from([sample('jpeg', 180)]), { maxBytes: INLINE_MAX });
    storeDown = true;
    try {
      for (const media of [{ base64: b64(sample('jpeg', 181)) }, { id: info.id }]) {
        const res = await send({ to, type: 'image', media });
        expect(res.statusCode).toBe(503);
        expect(res.json().code).toBe('MEDIA_STORE_UNAVAILABLE');
      }
    } finally {
      storeDown = false;
    }
    expect(await rowCount()).toBe(rows);
  });
});

describe('voice notes', () => {
  it('MP3 and WAV are accepted when ffmpeg runs (the worker converts them)', async () => {
    for (const [i, kind] of (['mp3', 'wav'] as const).entries()) {
      const bytes = sample(kind, 150 + i);
      const res = await send({ to, type: 'voice', media: { base64: b64(bytes) } });
      expect(res.statusCode, kind).toBe(202);
      const row = await m.db.repos.messages.getById(res.json().id);
      expect(row?.payload).toMatchObject({ type: 'voice', media: { id: sha256(bytes) } });
    }
  });

  describe('without ffmpeg (FFMPEG_PATH names no binary)', () => {
    let bare: MediaApp;
    beforeAll(async () => {
      bare = await startMediaApp({
        media: { base64MaxBytes: INLINE_MAX, ffmpegPath: '/nonexistent/ffmpeg' },
      });
    });
    afterAll(() => bare.close());
    const sendBare = (body: object) =>
      bare.app.inject({
        method: 'POST',
        url: `/api/sessions/${bare.sessionId}/messages`,
        headers: AUTH,
        payload: body,
      });

    it('MP3, WAV and a declared MP3 URL → 422 saying ffmpeg is needed; nothing stored', async () => {
      for (const [i, kind] of (['mp3', 'wav'] as const).entries()) {
        const res = await sendBare({ to, type: 'voice', media: { base64: b64(sample(kind, 160 + i)) } });
        expect(res.statusCode, kind).toBe(422);
        expect(res.json().code).toBe('UNSUPPORTED_MEDIA');
        expect(res.json().message).toMatch(/^ffmpeg is needed to convert audio\/(mpeg|wav) to a voice note/);
      }
      const url = await sendBare({
        to,
        type: 'voice',
        media: { url: 'https://example.com/a.mp3' },
        mimetype: 'audio/mpeg',
      });
      expect(url.statusCode).toBe(422);
      const ids: string[] = [];
      for await (const item of bare.store.list()) ids.push(item.id);
      expect(ids).toEqual([]);
    });

    it('Ogg/Opus needs no conversion (202); MP3 as plain audio needs none either', async () => {
      const voice = await sendBare({ to, type: 'voice', media: { base64: b64(sample('opus', 170)) } });
      expect(voice.statusCode).toBe(202);
      const audio = await sendBare({ to, type: 'audio', media: { base64: b64(sample('mp3', 171)) } });
      expect(audio.statusCode).toBe(202);
    });
  });
});
