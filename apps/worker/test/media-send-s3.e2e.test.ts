import { createS3MediaStore, type MediaStore, VOICE_MIMETYPE } from '@wagw/media';
import type { MessagePayload } from '@wagw/queue';
import { type LocalS3, s3MediaEnv, startLocalS3 } from '@wagw/testing';
import type { DecryptedMessage } from '@wagw/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { type MediaFiles, makeMediaFiles, sha256Hex, storeMedia } from './media-files.js';
import { createOutbox, waitForMessageStatus } from './messaging-fixtures.js';

let s3: LocalS3;
let store: MediaStore;
let gw: Gateway;
let files: MediaFiles;
let outbox: ReturnType<typeof createOutbox>;
let contact = 0;

beforeAll(async () => {
  files = await makeMediaFiles();
  s3 = await startLocalS3('wagw-send');
  store = createS3MediaStore({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: s3.credentials,
  });
  gw = await startGateway({
    workerEnv: { SEND_JITTER_MS: '0', SEND_RATE_PER_MINUTE: '6000', ...s3MediaEnv(s3) },
  });
  await gw.startWorker('media-s3');
  const session = await gw.createSession('media-s3');
  await gw.pair(session.id);
  outbox = createOutbox(gw, session.id);
}, 90_000);

afterAll(async () => {
  await outbox?.close();
  await gw?.close();
  await s3?.stop();
});

async function deliver(payload: MessagePayload): Promise<DecryptedMessage> {
  const peer = gw.sim.messaging.addContact({ phone: `1555800${String(contact++).padStart(4, '0')}` });
  const row = await outbox.send(peer.pn, payload);
  const got = await gw.sim.messaging.waitForMessage((m) => m.id === row.waMessageId && !m.ownDevice, 30_000);
  await waitForMessageStatus(gw, row.id, 'sent');
  return got;
}

describe('sending media kept in an S3-compatible store', () => {
  it('an image reaches its recipients verified, uploaded to the CDN once for all of them', async () => {
    const media = await storeMedia(store, files.jpeg);
    const before = gw.sim.counters.media.uploads;
    const received = [];
    for (let i = 0; i < 5; i++) received.push(await deliver({ type: 'image', media }));
    for (const got of received) {
      expect(got.media).toMatchObject({ type: 'image', verified: true, sha256: sha256Hex(files.jpeg) });
    }
    expect(gw.sim.counters.media.uploads - before).toBe(1);
  }, 60_000);

  it('an MP3 voice note is converted into the S3 store and arrives as push-to-talk', async () => {
    const got = await deliver({ type: 'voice', media: await storeMedia(store, files.mp3) });
    expect(got.media).toMatchObject({ type: 'audio', mimetype: VOICE_MIMETYPE, ptt: true, verified: true });
    const converted = got.media?.sha256 ?? '';
    expect(await store.stat(converted)).toMatchObject({ sha256: converted, mimetype: VOICE_MIMETYPE });
  }, 60_000);
});
