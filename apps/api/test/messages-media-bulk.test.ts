import { Readable } from 'node:stream';
import { metricsKeys, sendQueueName } from '@wagw/queue';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH } from './api-test-app.js';
import { sample } from './media-samples.js';
import { type MediaApp, png, sha256, startMediaApp } from './media-test-app.js';

// Media in POST /api/sessions/:id/messages/bulk: inline files are stored once per distinct file and
// only when every item is valid; bad items are reported by index with their own codes.
const INLINE_MAX = 32 * 1024;
let m: MediaApp;
let queue: Queue;
let storeDown = false;

beforeAll(async () => {
  m = await startMediaApp({
    media: { base64MaxBytes: INLINE_MAX },
    wrapStore: (store) => ({
      ...store,
      put: (source, options) => (storeDown ? Promise.reject(new Error('EIO')) : store.put(source, options)),
    }),
  });
  queue = new Queue(sendQueueName(m.sessionId), { connection: m.redis, prefix: m.prefix });
  queue.on('error', () => {});
});
afterAll(async () => {
  await queue.close();
  await m.close();
});

const bulk = (messages: unknown[]) =>
  m.app.inject({
    method: 'POST',
    url: `/api/sessions/${m.sessionId}/messages/bulk`,
    headers: AUTH,
    payload: { messages },
  });
const recipient = (i: number) => `49151${String(1_000_000 + i)}`;
const b64 = (bytes: Buffer) => bytes.toString('base64');

async function storedIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of m.store.list()) ids.push(item.id);
  return ids.sort();
}
const queued = async () => (await m.db.repos.messages.countByStatus(m.sessionId)).queued;

describe('bulk media', () => {
  it('one inline image to 200 recipients is stored once; url and id items ride along', async () => {
    const image = sample('jpeg', 300);
    const uploaded = await m.store.put(Readable.from([sample('mp4', 301)]), { maxBytes: INLINE_MAX });
    const before = await storedIds();
    const counter = metricsKeys(m.prefix).media;
    const storedBefore = Number((await m.redis.hget(counter, 'stored:count')) ?? 0);
    const base64 = b64(image);
    const messages: unknown[] = Array.from({ length: 200 }, (_, i) => ({
      to: recipient(i),
      type: 'image',
      media: { base64 },
      caption: `hello ${i}`,
    }));
    messages.push(
      { to: recipient(200), type: 'video', media: { id: uploaded.id } },
      {
        to: recipient(201),
        type: 'document',
        media: { url: 'https://example.com/a.pdf' },
        fileName: 'a.pdf',
      },
    );
    const started = performance.now();
    const res = await bulk(messages);
    const ms = performance.now() - started;
    expect(res.statusCode, res.body).toBe(202);
    const { batchId, count } = res.json();
    expect(count).toBe(202);
    console.log(
      `bulk media: 202 items (200 x ${base64.length} chars of one base64 image) in ${ms.toFixed(0)} ms`,
    );

    expect(await storedIds()).toEqual([...before, sha256(image)].sort());
    expect(Number(await m.redis.hget(counter, 'stored:count')) - storedBefore).toBe(1);
    const rows = (
      await m.db.repos.messages.listBySession({ sessionId: m.sessionId, limit: 1000 })
    ).items.filter((row) => row.batchId === batchId);
    expect(rows).toHaveLength(202);
    const images = rows.filter((row) => row.type === 'image');
    expect(new Set(images.map((row) => row.mediaId))).toEqual(new Set([sha256(image)]));
    expect(images[0]?.payload).toMatchObject({
      media: { id: sha256(image), size: image.length, mimetype: 'image/jpeg' },
    });
    expect(rows.find((row) => row.type === 'video')).toMatchObject({
      mediaId: uploaded.id,
      payload: { media: { id: uploaded.id, mimetype: 'video/mp4' } },
    });
    expect(rows.find((row) => row.type === 'document')).toMatchObject({
      mediaId: null,
      payload: { media: { url: 'https://example.com/a.pdf' }, fileName: 'a.pdf' },
    });
    expect(await queue.count()).toBe(202);
    await queue.drain(true);
  });

  it('reports each bad item with its own code, and neither writes a row nor stores a file', async () => {
    const before = await storedIds();
    const rows = await queued();
    const messages = [
      // Valid, with bytes the store has never seen: a refused batch must not keep them.
      { to: recipient(0), type: 'image', media: { base64: b64(sample('jpeg', 310)) } },
      { to: recipient(1), type: 'image', media: { base64: 'A'.repeat(Math.ceil((INLINE_MAX * 4) / 3) + 4) } },
      { to: recipient(2), type: 'sticker', media: { base64: b64(png()) } },
      { to: recipient(3), type: 'image', media: { id: 'e'.repeat(64) } },
      { to: recipient(4), type: 'voice', media: { base64: b64(sample('opus', 311)) }, caption: 'no' },
      { to: recipient(5), type: 'document', media: { base64: 'not base64!' } },
    ];
    const res = await bulk(messages);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('5 of 6') });
    const byIndex = Object.fromEntries(
      body.details.errors.map((e: { index: number; code: string }) => [e.index, e]),
    );
    expect(Object.keys(byIndex).map(Number)).toEqual([1, 2, 3, 4, 5]);
    expect(byIndex[1]).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      path: 'media.base64',
      details: { maxBytes: INLINE_MAX },
    });
    expect(byIndex[2]).toMatchObject({ code: 'UNSUPPORTED_MEDIA', path: 'media' });
    expect(byIndex[3]).toMatchObject({ code: 'MEDIA_NOT_FOUND', path: 'media.id' });
    expect(byIndex[4]).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'voice messages take no caption',
    });
    expect(byIndex[5]).toMatchObject({ code: 'VALIDATION_FAILED', path: 'media.base64' });
    expect(await storedIds()).toEqual(before);
    expect(await queued()).toBe(rows);
    expect(await queue.count()).toBe(0);
  });

  it('a store that fails while the batch is stored → 503 MEDIA_STORE_UNAVAILABLE, no row', async () => {
    const rows = await queued();
    storeDown = true;
    try {
      const base64 = b64(sample('jpeg', 320));
      const res = await bulk([0, 1, 2].map((i) => ({ to: recipient(i), type: 'image', media: { base64 } })));
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('MEDIA_STORE_UNAVAILABLE');
    } finally {
      storeDown = false;
    }
    expect(await queued()).toBe(rows);
    expect(await queue.count()).toBe(0);
  });
});
