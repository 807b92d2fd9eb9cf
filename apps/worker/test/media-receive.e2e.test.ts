import { createHash, randomBytes } from 'node:crypto';
import { signMediaUrl } from '@wagw/media';
import { readEvents } from '@wagw/queue';
import type { PeerMediaInput } from '@wagw/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { createOutbox, sessionPhone, waitForMessageStatus } from './messaging-fixtures.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

// The test sets the link secret, so it can sign an expired link the API must refuse.
const LINK_SECRET = 'media-receive-e2e-link-secret-0123456789';
const CONCURRENCY = 2;

let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let hook: Receiver;
let sessionId: string;
let phone: string;

beforeAll(async () => {
  gw = await startGateway({
    workerEnv: {
      MEDIA_URL_SECRET: LINK_SECRET,
      MEDIA_INBOUND_CONCURRENCY: String(CONCURRENCY),
      // Production's keep-alive, silence and lease limits (as inbound.e2e): with the harness' fast
      // ones a loaded machine dropped the socket mid-test, and what went to it was not written again.
      WA_KEEPALIVE_INTERVAL: '30000',
      WATCHDOG_SILENCE_TIMEOUT: '75000',
      LEASE_TTL: '15000',
    },
  });
  await gw.startWorker('w1');
  api = await gw.startApi({ MEDIA_URL_SECRET: LINK_SECRET });
  hook = await startReceiver();
  const session = await gw.createSession('media-in');
  sessionId = session.id;
  const res = await api.call('POST', `/api/sessions/${sessionId}/webhooks`, {
    url: hook.url,
    events: ['message.received'],
  });
  expect(res.status).toBe(201);
  await gw.pair(sessionId);
  phone = await sessionPhone(gw, sessionId);
}, 60_000);
afterAll(async () => {
  await hook?.stop();
  await gw?.close();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface ReceivedMedia {
  type: string;
  id?: string;
  sha256?: string;
  size?: number;
  mimetype?: string;
  caption?: string;
  fileName?: string;
  url?: string;
  error?: string;
}

/** The `message.received` webhooks of one WhatsApp message id. */
function webhooksOf(waMessageId: string) {
  return hook.events().filter((e) => e.event === 'message.received' && e.data.waMessageId === waMessageId);
}

async function webhookFor(waMessageId: string, timeoutMs = 30_000) {
  return gw.waitFor(`the webhook of ${waMessageId}`, async () => webhooksOf(waMessageId)[0], timeoutMs);
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers });

describe('receiving media (worker process, simulator CDN, API links)', () => {
  it('each media type: stored, announced with a signed link whose bytes hash to the sender’s; Range, tampered and expired links', async () => {
    const peer = gw.sim.messaging.addContact({ phone: '15553107001', name: 'Sender' });
    const files: Array<PeerMediaInput & { expected: string }> = [
      {
        type: 'image',
        data: randomBytes(200_000),
        mimetype: 'image/jpeg',
        caption: 'a photo',
        expected: 'image',
      },
      {
        type: 'video',
        data: randomBytes(1_200_000),
        mimetype: 'video/mp4',
        caption: 'a clip',
        expected: 'video',
      },
      { type: 'audio', data: randomBytes(60_000), mimetype: 'audio/mpeg', expected: 'audio' },
      {
        type: 'audio',
        data: randomBytes(20_000),
        mimetype: 'audio/ogg; codecs=opus',
        ptt: true,
        expected: 'voice',
      },
      {
        type: 'document',
        data: randomBytes(300_001),
        mimetype: 'application/pdf',
        fileName: 'invoice.pdf',
        caption: 'May invoice',
        expected: 'document',
      },
      { type: 'sticker', data: randomBytes(30_000), mimetype: 'image/webp', expected: 'sticker' },
    ];
    const sent = [];
    for (const { expected, ...file } of files)
      sent.push({ file, expected, id: (await peer.sendMedia(phone, file)).id });

    for (const { file, expected, id } of sent) {
      const event = await webhookFor(id);
      const media = event.data.media as ReceivedMedia;
      expect(media, expected).toMatchObject({
        type: expected,
        id: sha256(file.data),
        sha256: sha256(file.data),
        size: file.data.length,
        mimetype: file.mimetype,
        ...(file.caption ? { caption: file.caption } : {}),
        ...(file.fileName ? { fileName: file.fileName } : {}),
      });
      expect(event.data).toMatchObject({ type: expected, from: { jid: peer.pn } });
      // The media key never leaves the worker.
      expect(JSON.stringify(event)).not.toMatch(/mediaKey|directPath/);

      const row = await gw.db.repos.messages.getByWaId(sessionId, id);
      expect(row).toMatchObject({ type: expected, mediaId: media.id, status: 'received' });
      expect(row?.payload.media).toEqual({
        id: media.id,
        sha256: media.sha256,
        size: file.data.length,
        mimetype: file.mimetype,
      });

      // The link alone (no API key) gives the sender's bytes.
      const url = media.url ?? '';
      expect(url).toMatch(/^\/api\/media\/[0-9a-f]{64}\?expires=\d+&signature=/);
      const whole = await get(url);
      expect(whole.status).toBe(200);
      expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(sha256(file.data));
      const part = await get(url, { range: 'bytes=0-99' });
      expect(part.status).toBe(206);
      const head = Buffer.from(await part.arrayBuffer());
      expect(head.length).toBe(100);
      expect(head.equals(file.data.subarray(0, 100))).toBe(true);
    }

    const { url, id } = (await webhookFor(sent[0]!.id)).data.media as ReceivedMedia;
    const tampered = `${url?.slice(0, -3)}${url?.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    expect((await get(tampered ?? '')).status).toBe(403);
    const expired = signMediaUrl(id ?? '', { secret: LINK_SECRET, expiresAt: new Date(Date.now() - 1000) });
    expect((await get(`/api/media/${id}?${expired.query}`)).status).toBe(403);
    const fresh = signMediaUrl(id ?? '', { secret: LINK_SECRET, expiresAt: new Date(Date.now() + 60_000) });
    expect((await get(`/api/media/${id}?${fresh.query}`)).status).toBe(200);

    // Announced once each, after the download (no event while pending).
    for (const { id: waId } of sent) expect(webhooksOf(waId)).toHaveLength(1);
    expect(await gw.db.repos.mediaDownloads.listBySession(sessionId, { limit: 10 })).toEqual([]);
  }, 120_000);

  it('a file gone from the CDN is asked again from the sender’s phone (media retry) and then stored', async () => {
    const peer = gw.sim.messaging.addContact({ phone: '15553107002', name: 'Retry' });
    const data = randomBytes(80_000);
    const before = { ...gw.sim.counters.media };
    gw.sim.media.faults.failDownloads(404, 1);
    const { id } = await peer.sendMedia(phone, { type: 'image', data, mimetype: 'image/png' });
    const media = (await webhookFor(id)).data.media as ReceivedMedia;
    expect(media).toMatchObject({ type: 'image', sha256: sha256(data), size: data.length });
    expect(gw.sim.counters.media.retryRequests - before.retryRequests).toBe(1);
    expect(gw.sim.counters.media.reuploads - before.reuploads).toBe(1);
  }, 60_000);

  it('a download that fails for good leaves the message stored with media.error, and the webhook still goes out', async () => {
    const peer = gw.sim.messaging.addContact({ phone: '15553107003', name: 'Lost' });
    const before = gw.sim.counters.media.retryRequests;
    // The first download fails whatever happens next; the file is then gone from the CDN and the
    // sender's phone, so every media retry is answered NOT_FOUND.
    gw.sim.media.faults.failDownloads(404, 1);
    const { id } = await peer.sendMedia(phone, {
      type: 'document',
      data: randomBytes(5000),
      mimetype: 'application/pdf',
      fileName: 'gone.pdf',
      caption: 'lost',
    });
    expect(gw.sim.media.lose(id)).toBe(true);
    const event = await webhookFor(id, 60_000);
    const reason =
      'the media CDN no longer has the file (404) and asking the sender to upload it again failed: Media re-upload failed by device (NOT_FOUND)';
    expect(event.data.media).toEqual({
      type: 'document',
      fileName: 'gone.pdf',
      caption: 'lost',
      mimetype: 'application/pdf',
      error: reason,
    });
    const row = await gw.db.repos.messages.getByWaId(sessionId, id);
    expect(row).toMatchObject({ type: 'document', status: 'received', mediaId: null });
    expect(row?.payload).toMatchObject({ fileName: 'gone.pdf', caption: 'lost', media: { error: reason } });
    // Three attempts, each asking the phone once.
    expect(gw.sim.counters.media.retryRequests - before).toBe(3);
    expect(webhooksOf(id)).toHaveLength(1);
  }, 90_000);

  it(`a burst of slow videos downloads ${CONCURRENCY} at a time and does not hold up a send`, async () => {
    const peer = gw.sim.messaging.addContact({ phone: '15553107004', name: 'Burst' });
    const videos = Array.from({ length: 5 }, () => randomBytes(400_000));
    gw.sim.counters.media.maxActiveDownloads = 0;
    // 400 KB at 400 KB/s: each download takes about a second, five of them 2.5 s two at a time.
    gw.sim.media.faults.throttle(400_000);
    const started = Date.now();
    const ids: string[] = [];
    try {
      for (const data of videos)
        ids.push((await peer.sendMedia(phone, { type: 'video', data, mimetype: 'video/mp4' })).id);
      // Every video is stored (pending) before most of them are downloaded.
      await gw.waitFor('the five rows', async () => {
        const rows = await Promise.all(ids.map((id) => gw.db.repos.messages.getByWaId(sessionId, id)));
        return rows.every(Boolean) || undefined;
      });
      const outbox = createOutbox(gw, sessionId);
      const queuedAt = Date.now();
      const text = await outbox.text(peer.pn, 'not starved');
      await waitForMessageStatus(gw, text.id, ['sent', 'delivered'], 30_000);
      const sendMs = Date.now() - queuedAt;
      const sentAfter = Date.now() - started;
      const pendingWhenSent = (await gw.db.repos.mediaDownloads.listBySession(sessionId, { limit: 10 }))
        .length;
      await outbox.close();
      for (const id of ids) await webhookFor(id, 60_000);
      const allAfter = Date.now() - started;
      console.info(
        `media burst: a text queued mid-burst was sent in ${sendMs} ms, with ${pendingWhenSent} downloads still pending; 5 videos stored after ${allAfter} ms; at most ${gw.sim.counters.media.maxActiveDownloads} downloads at once`,
      );
      expect(pendingWhenSent).toBeGreaterThan(0);
      expect(sentAfter).toBeLessThan(allAfter);
      expect(gw.sim.counters.media.maxActiveDownloads).toBe(CONCURRENCY);
    } finally {
      gw.sim.media.faults.reset();
    }
    for (const [i, id] of ids.entries()) {
      expect((webhooksOf(id)[0]?.data.media as ReceivedMedia | undefined)?.sha256).toBe(sha256(videos[i]!));
    }
    // Every message.received of this session went out once: stable ids, no duplicates in the stream.
    const streamed = (await readEvents(gw.redis, gw.prefix, '0', { count: 1000 })).filter(
      (e) => e.event.event === 'message.received',
    );
    expect(new Set(streamed.map((e) => e.event.id)).size).toBe(streamed.length);
  }, 120_000);
});
