import { metricsKeys } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { makeMediaFiles, sha256Hex, storeMedia } from './media-files.js';
import { createOutbox } from './messaging-fixtures.js';

const RECIPIENTS = Number(process.env.MEDIA_BULK_RECIPIENTS ?? 1000);

let gw: Gateway;
let outbox: ReturnType<typeof createOutbox>;
const phones = Array.from({ length: RECIPIENTS }, (_, i) => `1666000${String(i).padStart(4, '0')}`);
let recipients: string[] = [];

beforeAll(async () => {
  // Pacing out of the way (the pacing tests cover it): the most the worker allows, no jitter.
  gw = await startGateway({
    sim: { transcriptLimit: 1000 },
    workerEnv: { SEND_JITTER_MS: '0', SEND_RATE_PER_MINUTE: '6000', LEASE_TTL: '10000' },
  });
  await gw.startWorker('media-bulk');
  const session = await gw.createSession('media-bulk');
  await gw.pair(session.id);
  recipients = phones.map((phone) => gw.sim.messaging.addContact({ phone }).pn);
  outbox = createOutbox(gw, session.id);
}, 90_000);

afterAll(async () => {
  await outbox?.close();
  await gw?.close();
});

describe('a bulk of one image', () => {
  it(`to ${RECIPIENTS} recipients uploads it to the CDN once, and every recipient verifies it`, async () => {
    const { jpeg } = await makeMediaFiles();
    const media = await storeMedia(gw.mediaDir, jpeg);
    const uploadsBefore = gw.sim.counters.media.uploads;
    const started = Date.now();
    const rows = [];
    for (const to of recipients) rows.push(await outbox.send(to, { type: 'image', media, caption: 'sale!' }));
    const ids = new Set(rows.map((row) => row.waMessageId));
    const received = () =>
      gw.sim.messaging.decrypted().filter((m) => !m.ownDevice && m.media && ids.has(m.id));
    await gw.waitFor(
      `${RECIPIENTS} images at the peers`,
      async () => received().length >= RECIPIENTS,
      240_000,
    );
    const elapsed = Date.now() - started;
    const uploads = gw.sim.counters.media.uploads - uploadsBefore;
    console.info(`${RECIPIENTS} image messages delivered in ${elapsed} ms with ${uploads} CDN upload(s)`);

    expect(uploads).toBe(1);
    const copies = received();
    expect(new Set(copies.map((m) => m.recipientPhone)).size).toBe(RECIPIENTS);
    expect(copies.every((m) => m.media?.verified && m.media.sha256 === sha256Hex(jpeg))).toBe(true);
    expect(gw.sim.messaging.duplicates()).toEqual([]);
    await gw.waitFor(
      'every message counted as sent',
      async () =>
        Number(await gw.redis.hget(metricsKeys(gw.prefix).media, 'sent:count')) === RECIPIENTS
          ? true
          : undefined,
      30_000,
    );
  }, 300_000);
});
