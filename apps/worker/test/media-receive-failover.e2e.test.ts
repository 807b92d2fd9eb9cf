import { createHash, randomBytes } from 'node:crypto';
import { readEvents } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway, stopProcess } from './harness.js';
import { sessionPhone } from './messaging-fixtures.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

const VIDEO_BYTES = 6 * 1024 * 1024;
// 6 MiB at 1 MiB/s: the download is still running when the worker is killed a moment in.
const SLOW_LINK = 1024 * 1024;

let gw: Gateway;
let hook: Receiver;
beforeAll(async () => {
  gw = await startGateway();
  hook = await startReceiver();
});
afterAll(async () => {
  await hook?.stop();
  await gw?.close();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('receiving media across a worker crash', () => {
  it('kill -9 during a download: after takeover the message is stored once, the file downloaded, the event published once', async () => {
    await gw.startWorker('doomed');
    // 'doomed' and, when the suite runs with several workers (E2E_WORKERS), its peers: all die
    // together, so that the survivor is the one to take the session over.
    const doomed = gw.workerIds();
    const session = await gw.createSession('media-failover');
    await gw.db.repos.webhooks.create({ sessionId: session.id, url: hook.url, events: ['message.received'] });
    await gw.pair(session.id);
    await gw.startWorker('survivor');
    expect(doomed).toContain(await gw.ownerOf(session.id));
    const phone = await sessionPhone(gw, session.id);
    const peer = gw.sim.messaging.addContact({ phone: '15553207001', name: 'Video' });
    const video = randomBytes(VIDEO_BYTES);

    gw.sim.media.faults.throttle(SLOW_LINK);
    const { id } = await peer.sendMedia(phone, {
      type: 'video',
      data: video,
      mimetype: 'video/mp4',
      caption: 'big',
    });
    const pending = await gw.waitFor('the row stored and its download under way', async () => {
      const row = await gw.db.repos.messages.getByWaId(session.id, id);
      return row && gw.sim.counters.media.activeDownloads > 0 ? row : undefined;
    });
    expect(pending.payload.media).toEqual({ pending: true });

    const killedAt = Date.now();
    await Promise.all(doomed.map((id) => stopProcess(gw.workers.get(id)!, 'SIGKILL')));
    gw.sim.media.faults.reset();

    const event = await gw.waitFor(
      'the webhook from the survivor',
      async () => hook.events().find((e) => e.event === 'message.received' && e.data.waMessageId === id),
      60_000,
    );
    const settledMs = Date.now() - killedAt;
    expect(await gw.ownerOf(session.id)).toBe('survivor');
    expect(event.data.media).toMatchObject({
      type: 'video',
      caption: 'big',
      sha256: sha256(video),
      size: VIDEO_BYTES,
    });
    // Exactly one row, the one stored before the crash, now with its file.
    expect((await gw.db.repos.messages.countByStatus(session.id)).received).toBe(1);
    const row = await gw.db.repos.messages.getByWaId(session.id, id);
    expect(row?.id).toBe(pending.id);
    expect(row?.mediaId).toBe(sha256(video));
    expect(await gw.db.repos.mediaDownloads.listBySession(session.id, { limit: 10 })).toEqual([]);

    // Published once (the dead worker never announced it), delivered once.
    const streamed = (await readEvents(gw.redis, gw.prefix, '0', { count: 1000 })).filter(
      (e) => e.event.event === 'message.received' && e.event.data.waMessageId === id,
    );
    expect(streamed.map((e) => e.event.id)).toEqual([`message.${pending.id}.received`]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(hook.events().filter((e) => e.data.waMessageId === id)).toHaveLength(1);
    console.info(
      `media failover: ${VIDEO_BYTES} B video stored by the survivor ${settledMs} ms after kill -9`,
    );
  }, 120_000);
});
