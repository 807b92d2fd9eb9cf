import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadWorkerConfig } from '@wagw/config';
import { type Message, newId } from '@wagw/db';
import { VOICE_MIMETYPE } from '@wagw/media';
import type { MediaEvent, MessagePayload } from '@wagw/queue';
import { createTempDir, type TempDir } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MediaSendError } from '../src/media/media-send-error.js';
import { createOutgoingMedia } from '../src/media/outgoing-media.js';
import { createWorkerMedia } from '../src/media/worker-media.js';
import type { MediaPayload } from '../src/messaging/content.js';
import { type MediaFiles, makeMediaFiles, sha256Hex, storeMedia } from './media-files.js';

let dir: TempDir;
let files: MediaFiles;
let server: Server;
let baseUrl: string;
const hits = new Map<string, number>();
/** A wrapper around the real ffmpeg that logs each conversion it runs. */
let countingFfmpeg: string;
const conversions = () =>
  readFileSync(join(dir.path, 'ffmpeg.log'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('libopus')).length;

beforeAll(async () => {
  dir = createTempDir('wagw-outgoing-');
  files = await makeMediaFiles();
  countingFfmpeg = join(dir.path, 'ffmpeg');
  writeFileSync(join(dir.path, 'ffmpeg.log'), '');
  writeFileSync(countingFfmpeg, `#!/bin/sh\necho "$*" >> '${dir.path}/ffmpeg.log'\nexec ffmpeg "$@"\n`);
  chmodSync(countingFfmpeg, 0o755);
  server = createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    if (req.url === '/photo.jpg') res.end(files.jpeg);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  dir.cleanup();
});

function setup(ffmpegPath: string) {
  const config = loadWorkerConfig({
    MEDIA_DIR: join(dir.path, 'media'),
    FFMPEG_PATH: ffmpegPath,
    MEDIA_FETCH_ALLOWED_NETWORKS: '127.0.0.0/8',
  }).media;
  const events: Array<[MediaEvent, number]> = [];
  const updateMedia = vi.fn(async () => null);
  const outgoing = createOutgoingMedia({
    media: createWorkerMedia(config, undefined),
    repos: { messages: { updateMedia } } as never,
    db: (fn) => fn(),
    record: (event, bytes) => events.push([event, bytes]),
  });
  return { outgoing, events, updateMedia, mediaDir: config.store.kind === 'fs' ? config.store.dir : '' };
}

const rowFor = (payload: MessagePayload) => ({ id: newId(), payload }) as unknown as Message;

async function prepareError(promise: Promise<unknown>): Promise<MediaSendError> {
  const err = await promise.then(
    () => expect.unreachable('prepared'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MediaSendError);
  return err as MediaSendError;
}

describe('outgoing media', () => {
  it('converts a voice note once for concurrent and later sends of the same file', async () => {
    const { outgoing, mediaDir } = setup(countingFfmpeg);
    const media = await storeMedia(mediaDir, files.mp3);
    const payload: MediaPayload = { type: 'voice', media };
    const before = conversions();
    const prepared = await Promise.all([1, 2, 3].map(() => outgoing.prepare(rowFor(payload), payload)));
    prepared.push(await outgoing.prepare(rowFor(payload), payload));
    expect(conversions() - before).toBe(1);
    const paths = new Set(prepared.map((p) => (p.out.content as { audio: { url: string } }).audio.url));
    expect(paths.size).toBe(1);
    expect(prepared[0]?.out.content).toMatchObject({ mimetype: VOICE_MIMETYPE, ptt: true });
    await Promise.all(prepared.map((p) => p.release()));
  });

  it('without ffmpeg: refuses a voice note needing conversion, sends Ogg/Opus as it is, and videos without a thumbnail', async () => {
    const { outgoing, mediaDir } = setup(join(dir.path, 'no-such-ffmpeg'));
    const mp3: MediaPayload = { type: 'voice', media: await storeMedia(mediaDir, files.mp3) };
    const refused = await prepareError(outgoing.prepare(rowFor(mp3), mp3));
    expect(refused.transient).toBe(false);
    expect(refused.reason).toMatch(/^UNSUPPORTED_MEDIA: a voice note from audio\/mpeg needs ffmpeg/);

    const ogg: MediaPayload = { type: 'voice', media: await storeMedia(mediaDir, files.ogg) };
    expect((await outgoing.prepare(rowFor(ogg), ogg)).out.content).toMatchObject({ ptt: true });
    const video: MediaPayload = { type: 'video', media: await storeMedia(mediaDir, files.mp4) };
    // Empty rather than absent, so Baileys does not try `ffmpeg` through a shell instead.
    expect((await outgoing.prepare(rowFor(video), video)).out.content).toMatchObject({ jpegThumbnail: '' });
  });

  it('fetches a URL once for the messages of a bulk, and rewrites each row to name the stored file', async () => {
    const { outgoing, events, updateMedia } = setup('ffmpeg');
    const payload: MediaPayload = { type: 'image', media: { url: `${baseUrl}/photo.jpg` }, caption: 'hi' };
    const rows = [rowFor(payload), rowFor(payload)];
    for (const row of rows) await (await outgoing.prepare(row, payload)).release();
    expect(hits.get('/photo.jpg')).toBe(1);
    expect(events.filter(([event]) => event === 'fetched')).toEqual([['fetched', files.jpeg.length]]);
    const id = sha256Hex(files.jpeg);
    const stored = { id, sha256: id, size: files.jpeg.length, mimetype: 'image/jpeg' };
    expect(updateMedia.mock.calls).toEqual(rows.map((row) => [row.id, { ...payload, media: stored }, id]));
  });

  it('fails a message whose stored file is gone', async () => {
    const { outgoing } = setup('ffmpeg');
    const id = sha256Hex(Buffer.from('gone'));
    const payload: MediaPayload = {
      type: 'image',
      media: { id, sha256: id, size: 4, mimetype: 'image/jpeg' },
    };
    const err = await prepareError(outgoing.prepare(rowFor(payload), payload));
    expect(err).toMatchObject({ code: 'MEDIA_NOT_FOUND', transient: false });
  });
});
