import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway, stopProcess } from './harness.js';
import { makeNoiseVideo, sha256Hex, storeMedia } from './media-files.js';
import { createOutbox, waitForMessageStatus } from './messaging-fixtures.js';
import { type StallingProxy, startStallingProxy } from './stalling-proxy.js';

let gw: Gateway;
let proxy: StallingProxy;
let outbox: ReturnType<typeof createOutbox>;
let sessionId: string;

/** Past the TLS handshake and well into the body: the upload is under way when it stalls. */
const STALL_AFTER_BYTES = 256 * 1024;

beforeAll(async () => {
  gw = await startGateway({ workerEnv: { SEND_JITTER_MS: '0', SEND_RATE_PER_MINUTE: '600' } });
  proxy = await startStallingProxy(gw.sim.media.origin, STALL_AFTER_BYTES);
  // The first worker reaches the CDN only through the proxy, which holds its upload mid-body.
  await gw.startWorker('media-a', { WA_MEDIA_ORIGIN_OVERRIDE: proxy.origin });
  const session = await gw.createSession('media-failover');
  sessionId = session.id;
  await gw.pair(sessionId);
  outbox = createOutbox(gw, sessionId);
}, 90_000);

afterAll(async () => {
  await outbox?.close();
  await proxy?.close();
  await gw?.close();
});

describe('kill -9 of the worker in the middle of a media upload', () => {
  it('the worker that takes over sends it: exactly one verified delivery', async () => {
    const video = makeNoiseVideo(3);
    expect(video.length).toBeGreaterThan(4 * STALL_AFTER_BYTES);
    const media = await storeMedia(gw.mediaDir, video);
    const peer = gw.sim.messaging.addContact({ phone: '15552220000' });
    const uploadsBefore = gw.sim.counters.media.uploads;

    const row = await outbox.send(peer.pn, { type: 'video', media, caption: 'big one' });
    await gw.waitFor('the upload to stall mid-body', async () => proxy.stalled() > 0, 30_000);
    expect((await gw.db.repos.messages.getById(row.id))?.status).toBe('sending');
    expect(gw.sim.counters.media.uploads).toBe(uploadsBefore);

    const killedAt = Date.now();
    // media-a and, when the suite runs with several workers (E2E_WORKERS), its peers: all die
    // together, so that media-b is the one to take the session over.
    const first = gw.workerIds();
    await Promise.all(first.map((id) => stopProcess(gw.workers.get(id)!, 'SIGKILL')));
    await gw.startWorker('media-b');
    await gw.waitFor(
      'media-b to own the session',
      async () => (await gw.ownerOf(sessionId)) === 'media-b',
      30_000,
    );

    const got = await gw.sim.messaging.waitForMessage(
      (m) => m.id === row.waMessageId && !m.ownDevice,
      120_000,
    );
    console.info(`delivered ${Date.now() - killedAt} ms after the kill (${video.length} byte video)`);
    expect(got.media).toMatchObject({
      type: 'video',
      verified: true,
      sha256: sha256Hex(video),
      caption: 'big one',
    });
    const sent = await waitForMessageStatus(gw, row.id, 'sent', 30_000);
    expect(sent.waMessageId).toBe(row.waMessageId);

    // Give a stray second copy time to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const copies = gw.sim.messaging.decrypted().filter((m) => m.id === row.waMessageId && !m.ownDevice);
    expect(copies).toHaveLength(1);
    expect(gw.sim.messaging.duplicates()).toEqual([]);
    // The killed worker's upload never completed; the new owner's did, once.
    expect(gw.sim.counters.media.uploads - uploadsBefore).toBe(1);
  }, 240_000);
});
