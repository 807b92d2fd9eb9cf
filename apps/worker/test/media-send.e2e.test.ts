import { createFsMediaStore, VOICE_MIMETYPE } from '@wagw/media';
import { type MessagePayload, metricsKeys, readEvents } from '@wagw/queue';
import type { DecryptedMessage } from '@wagw/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { type HttpsFileServer, startHttpsFileServer } from './https-file-server.js';
import { type MediaFiles, makeMediaFiles, sha256Hex, storeMedia } from './media-files.js';
import { createOutbox, waitForMessageStatus } from './messaging-fixtures.js';

let gw: Gateway;
let files: MediaFiles;
let server: HttpsFileServer;
let outbox: ReturnType<typeof createOutbox>;
let contact = 0;

beforeAll(async () => {
  files = await makeMediaFiles();
  gw = await startGateway({
    workerEnv: {
      SEND_JITTER_MS: '0',
      SEND_RATE_PER_MINUTE: '600',
      // The URL test server listens on loopback, which the SSRF guard refuses unless allowed.
      MEDIA_FETCH_ALLOWED_NETWORKS: '127.0.0.0/8',
    },
  });
  server = await startHttpsFileServer(
    { '/photo.jpg': (_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(files.jpeg) },
    [gw.sim.media.caPem],
  );
  await gw.startWorker('media-1', { NODE_EXTRA_CA_CERTS: server.caFile });
  const session = await gw.createSession('media');
  await gw.pair(session.id);
  outbox = createOutbox(gw, session.id);
}, 90_000);

afterAll(async () => {
  await outbox?.close();
  await server?.close();
  await gw?.close();
});

/** Sends to a new contact and resolves with what that contact decrypted and verified. */
async function deliver(payload: MessagePayload): Promise<{ got: DecryptedMessage; rowId: string }> {
  const peer = gw.sim.messaging.addContact({ phone: `1555300${String(contact++).padStart(4, '0')}` });
  const row = await outbox.send(peer.pn, payload);
  const got = await gw.sim.messaging.waitForMessage((m) => m.id === row.waMessageId && !m.ownDevice, 30_000);
  await waitForMessageStatus(gw, row.id, 'sent');
  return { got, rowId: row.id };
}

const uploads = () => gw.sim.counters.media.uploads;

describe('sending each kind of media to a simulated peer', () => {
  it('an image with its caption, thumbnail and dimensions', async () => {
    const media = await storeMedia(gw.mediaDir, files.jpeg);
    const { got } = await deliver({ type: 'image', media, caption: 'the photo' });
    expect(got.media).toMatchObject({
      type: 'image',
      mimetype: 'image/jpeg',
      verified: true,
      sha256: sha256Hex(files.jpeg),
      length: files.jpeg.length,
      caption: 'the photo',
    });
    const image = got.message.imageMessage;
    expect(image?.jpegThumbnail?.length).toBeGreaterThan(0);
    expect([image?.width, image?.height]).toEqual([320, 240]);
  }, 60_000);

  it('a video with a thumbnail and duration made by FFMPEG_PATH', async () => {
    const media = await storeMedia(gw.mediaDir, files.mp4);
    const { got } = await deliver({ type: 'video', media, caption: 'the clip' });
    expect(got.media).toMatchObject({
      type: 'video',
      mimetype: 'video/mp4',
      verified: true,
      sha256: sha256Hex(files.mp4),
      caption: 'the clip',
    });
    const video = got.message.videoMessage;
    // A JPEG starts with FF D8.
    expect(
      Buffer.from(video?.jpegThumbnail ?? [])
        .subarray(0, 2)
        .toString('hex'),
    ).toBe('ffd8');
    expect(video?.seconds).toBe(2);
  }, 60_000);

  it('audio (MP3 and AAC) goes out as audio, not as a voice note', async () => {
    for (const [bytes, mimetype] of [
      [files.mp3, 'audio/mpeg'],
      [files.m4a, 'audio/mp4'],
    ] as const) {
      const { got } = await deliver({ type: 'audio', media: await storeMedia(gw.mediaDir, bytes) });
      expect(got.media).toMatchObject({ type: 'audio', mimetype, ptt: false, verified: true });
      expect(got.media?.sha256).toBe(sha256Hex(bytes));
      expect(got.message.audioMessage?.seconds).toBe(2);
    }
  }, 60_000);

  it('an Ogg/Opus voice note goes out as it is, push-to-talk with duration and waveform', async () => {
    const { got } = await deliver({ type: 'voice', media: await storeMedia(gw.mediaDir, files.ogg) });
    expect(got.media).toMatchObject({ type: 'audio', mimetype: VOICE_MIMETYPE, ptt: true, verified: true });
    expect(got.media?.sha256).toBe(sha256Hex(files.ogg));
    expect(got.message.audioMessage?.seconds).toBe(2);
    expect(got.message.audioMessage?.waveform?.length).toBe(64);
  }, 60_000);

  it('an MP3 voice note is converted to Ogg/Opus once, stored, and uploaded once for two recipients', async () => {
    const media = await storeMedia(gw.mediaDir, files.mp3);
    const before = uploads();
    const first = (await deliver({ type: 'voice', media })).got;
    const second = (await deliver({ type: 'voice', media })).got;
    for (const got of [first, second]) {
      expect(got.media).toMatchObject({ type: 'audio', mimetype: VOICE_MIMETYPE, ptt: true, verified: true });
      expect(got.message.audioMessage?.waveform?.length).toBe(64);
    }
    const converted = first.media?.sha256 ?? '';
    expect(converted).not.toBe(sha256Hex(files.mp3));
    expect(second.media?.sha256).toBe(converted);
    // What the peer decrypted is the converted file the worker stored.
    const stored = await createFsMediaStore({ root: gw.mediaDir }).stat(converted);
    expect(stored).toMatchObject({ sha256: converted, mimetype: VOICE_MIMETYPE });
    expect(uploads() - before).toBe(1);
  }, 60_000);

  it('a document with and without a file name', async () => {
    const media = await storeMedia(gw.mediaDir, files.pdf);
    const named = (
      await deliver({ type: 'document', media, fileName: 'invoice-42.pdf', caption: 'your invoice' })
    ).got;
    expect(named.media).toMatchObject({
      type: 'document',
      mimetype: 'application/pdf',
      fileName: 'invoice-42.pdf',
      caption: 'your invoice',
      verified: true,
      sha256: sha256Hex(files.pdf),
    });
    const unnamed = (await deliver({ type: 'document', media })).got;
    expect(unnamed.media).toMatchObject({ fileName: 'document.pdf', verified: true });
  }, 60_000);

  it('a sticker', async () => {
    const { got } = await deliver({ type: 'sticker', media: await storeMedia(gw.mediaDir, files.webp) });
    expect(got.media).toMatchObject({
      type: 'sticker',
      mimetype: 'image/webp',
      verified: true,
      sha256: sha256Hex(files.webp),
    });
  }, 60_000);
});

describe('media from a URL', () => {
  it('is fetched over HTTPS through the guard, stored once, and the message then names the stored file', async () => {
    const url = server.url('/photo.jpg');
    const { got, rowId } = await deliver({ type: 'image', media: { url } });
    expect(got.media).toMatchObject({ type: 'image', verified: true, sha256: sha256Hex(files.jpeg) });
    expect(server.hits.get('/photo.jpg')).toBe(1);
    const row = await gw.db.repos.messages.getById(rowId);
    expect(row?.mediaId).toBe(sha256Hex(files.jpeg));
    expect(row?.payload).toMatchObject({
      type: 'image',
      media: { id: sha256Hex(files.jpeg), sha256: sha256Hex(files.jpeg), size: files.jpeg.length },
    });
    const counters = await gw.redis.hgetall(metricsKeys(gw.prefix).media);
    expect(Number(counters['fetched:count'])).toBe(1);
    expect(Number(counters['fetched:bytes'])).toBe(files.jpeg.length);
    // Every message this file sent was counted (the sends above included).
    expect(Number(counters['sent:count'])).toBeGreaterThanOrEqual(10);
    const events = await readEvents(gw.redis, gw.prefix, '0', { count: 1000 });
    const statuses = events
      .filter((e) => e.event.event === 'message.status' && e.event.data.messageId === rowId)
      .map((e) => e.event.data.status);
    expect(statuses).toEqual(['sending', 'sent']);
  }, 60_000);
});
