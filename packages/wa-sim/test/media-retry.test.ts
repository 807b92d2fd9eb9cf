import { randomBytes } from 'node:crypto';
import { downloadMediaMessage } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pairTestClient } from '../src/index.js';
import { cdnFetch, cdnRequest } from './media-https.js';
import { recordMessageEvents } from './messaging-baileys-events.js';
import { useSimulator } from './sim-test-helpers.js';

describe('media retries and CDN faults', () => {
  const env = useSimulator();
  afterEach(() => vi.unstubAllGlobals());

  /** A paired client that received a photo from a contact; downloads go to the CDN through cdnFetch. */
  async function received() {
    const sim = await env.start();
    const paired = await pairTestClient(sim);
    env.track(paired.client);
    vi.stubGlobal('fetch', cdnFetch(sim.media));
    const sock = paired.client.sock;
    const events = recordMessageEvents(sock);
    const carol = sim.messaging.addContact({ phone: '15559990000', name: 'Carol' });
    const photo = randomBytes(30_000);
    const sent = await carol.sendMedia(paired.companion.account.phone, {
      data: photo,
      type: 'image',
      mimetype: 'image/jpeg',
    });
    const message = await events.waitForUpsert((m) => m.key.id === sent.id);
    const download = () => downloadMediaMessage(message, 'buffer', {});
    return { sim, sock, message, photo, sent, download };
  }

  it("an expired file is 404; Baileys' media retry makes the sender upload it again under a new path", async () => {
    const { sim, sock, message, photo, sent, download } = await received();
    const before = message.message?.imageMessage?.directPath ?? '';
    expect(sim.media.expire(sent.id)).toBe(true);
    expect((await cdnRequest(sim.media, { path: before })).status).toBe(404);
    await expect(download()).rejects.toThrow(/Failed to fetch stream/);

    // Baileys' own retry request (its downloadMediaMessage never sends one itself: it looks for the
    // HTTP status on `error.status`, where its Boom errors have none).
    await sock.updateMediaMessage(message);
    expect((await download()).equals(photo)).toBe(true);
    expect(sim.counters.media).toMatchObject({ retryRequests: 1, reuploads: 1 });
    // Baileys wrote the new location into the message; the old one stays gone.
    const after = message.message?.imageMessage?.directPath ?? '';
    expect(after).not.toBe(before);
    expect(sim.media.find(after)).toBeDefined();
    expect(sim.media.expire('3ANOTSENT')).toBe(false);
  });

  it('a file the sender lost too: the retry is answered NOT_FOUND and the download fails', async () => {
    const { sim, sock, message, sent } = await received();
    expect(sim.media.lose(sent.id)).toBe(true);
    await expect(sock.updateMediaMessage(message)).rejects.toThrow(/NOT_FOUND/);
    expect(sim.counters.media).toMatchObject({ retryRequests: 1, reuploads: 0 });
  });

  it('armed download failures answer in order, then the blob again; a throttled link is slow', async () => {
    const { sim, message, photo, download } = await received();
    const path = message.message?.imageMessage?.directPath ?? '';
    sim.media.faults.failDownloads(503, 2);
    expect((await cdnRequest(sim.media, { path })).status).toBe(503);
    expect((await cdnRequest(sim.media, { path })).status).toBe(503);
    expect((await download()).equals(photo)).toBe(true);

    sim.media.faults.throttle(60_000);
    const started = Date.now();
    const slow = await cdnRequest(sim.media, { path });
    expect(slow.body.length).toBe(sim.media.find(path)?.size);
    // 30 KB at 60 KB/s: about half a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    sim.media.faults.reset();
    expect(() => sim.media.faults.failDownloads(200)).toThrow(/not an error status/);
  });
});
