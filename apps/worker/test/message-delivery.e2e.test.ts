import { readEvents } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { createOutbox, waitForMessageStatus } from './messaging-fixtures.js';

let gw: Gateway;
let outbox: ReturnType<typeof createOutbox>;
let sessionId: string;

beforeAll(async () => {
  gw = await startGateway({ workerEnv: { SEND_JITTER_MS: '0', SEND_RATE_PER_MINUTE: '600' } });
  await gw.startWorker('w1');
  const session = await gw.createSession('delivery');
  sessionId = session.id;
  await gw.pair(sessionId);
  outbox = createOutbox(gw, sessionId);
}, 60_000);

afterAll(async () => {
  await outbox?.close();
  await gw?.close();
});

describe('message delivery on a real worker', () => {
  it('sends a text the peer decrypts exactly, and follows it to read through receipts', async () => {
    const bob = gw.sim.messaging.addContact({ phone: '15557654321', name: 'Bob' });
    const text = 'Hello Bob, this is wagw ✓';
    const row = await outbox.text(bob.pn, text);

    const got = await gw.sim.messaging.waitForMessage(
      (m) => m.id === row.waMessageId && !m.ownDevice,
      20_000,
    );
    expect(got.text).toBe(text);
    expect(got.recipientPhone).toBe('15557654321');
    await waitForMessageStatus(gw, row.id, 'sent');

    await bob.receipt(got.id, 'delivery');
    const delivered = await waitForMessageStatus(gw, row.id, 'delivered', 30_000);
    expect(delivered.deliveredAt).not.toBeNull();
    await bob.receipt(got.id, 'read');
    const read = await waitForMessageStatus(gw, row.id, 'read', 30_000);
    expect(read.readAt).not.toBeNull();
    expect(read.attempts).toBe(1);

    // A late delivery receipt never moves it back. The barrier: a later receipt from the same peer
    // on the same socket, for another message; once that one is stored, the late one was handled.
    const marker = await outbox.text(bob.pn, 'marker');
    const markerGot = await gw.sim.messaging.waitForMessage(
      (m) => m.id === marker.waMessageId && !m.ownDevice,
      20_000,
    );
    await waitForMessageStatus(gw, marker.id, 'sent');
    await bob.receipt(got.id, 'delivery');
    await bob.receipt(markerGot.id, 'delivery');
    await waitForMessageStatus(gw, marker.id, 'delivered', 30_000);
    expect((await gw.db.repos.messages.getById(row.id))?.status).toBe('read');

    const events = await readEvents(gw.redis, gw.prefix, '0', { count: 1000 });
    const statuses = events
      .filter((e) => e.event.event === 'message.status' && e.event.data.messageId === row.id)
      .map((e) => e.event.data.status);
    expect(statuses).toEqual(['sending', 'sent', 'delivered', 'read']);
  }, 90_000);

  it('an error ack (463) fails the message with the reason, without retrying', async () => {
    const carol = gw.sim.messaging.addContact({ phone: '15559990000', name: 'Carol' });
    gw.sim.messaging.failNextAck(463);
    const row = await outbox.text(carol.pn, 'are you there?');
    const failed = await waitForMessageStatus(gw, row.id, 'failed');
    expect(failed.statusReason).toMatch(/463/);
    expect(failed.attempts).toBe(1);
  }, 60_000);

  it('fails a number that is not on WhatsApp at once, and skips rows that are no longer queued', async () => {
    const nobody = await outbox.text('19998887777@s.whatsapp.net', 'hello?');
    const failed = await waitForMessageStatus(gw, nobody.id, 'failed');
    expect(failed.statusReason).toMatch(/not on WhatsApp/);

    const dave = gw.sim.messaging.addContact({ phone: '15551112222' });
    const cancelled = await gw.db.repos.messages.insert({
      sessionId,
      direction: 'outbound',
      remoteJid: dave.pn,
      type: 'text',
      payload: { type: 'text', text: 'never' },
      status: 'cancelled',
    });
    const job = await outbox.queue.add(
      'send',
      { messageId: cancelled.id, sessionId },
      { jobId: cancelled.id },
    );
    await gw.waitFor('cancelled job to finish', async () => (await job.isCompleted()) || undefined);
    expect(gw.sim.messaging.decrypted(dave)).toHaveLength(0);
  }, 60_000);
});
