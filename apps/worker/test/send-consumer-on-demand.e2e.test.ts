import { newId } from '@wagw/db';
import { enqueue, SEND_QUEUE_JOBS, sendMessageJob, waMessageIdFor } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { createOutbox, waitForMessageStatus } from './messaging-fixtures.js';

/**
 * A session's send-queue consumer (a BullMQ Worker with its own blocking Redis connection) runs only
 * while the session's queue has work: an idle open session holds none, a job wakes it, and it
 * closes again after SEND_CONSUMER_IDLE with nothing to do. BullMQ names each consumer's Redis
 * connection after its queue, which is what `getWorkersCount` counts.
 */
let gw: Gateway;
let outbox: ReturnType<typeof createOutbox>;
let sessionId: string;

const IDLE_MS = 1500;
const consumers = () => outbox.queue.getWorkersCount();

beforeAll(async () => {
  gw = await startGateway({
    workerEnv: { SEND_JITTER_MS: '0', SEND_RATE_PER_MINUTE: '600', SEND_CONSUMER_IDLE: String(IDLE_MS) },
  });
  await gw.startWorker('w1');
  sessionId = (await gw.createSession('on-demand')).id;
  await gw.pair(sessionId);
  outbox = createOutbox(gw, sessionId);
}, 60_000);

afterAll(async () => {
  await outbox?.close();
  await gw?.close();
});

describe('send-queue consumer on demand', () => {
  it('an open session with nothing to send runs no consumer', async () => {
    // Past the open's start spread (up to 2 s) and several looks at the queue (every IDLE_MS / 3).
    for (let i = 0; i < 14; i++) {
      expect(await consumers()).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  it('a message wakes the consumer; idle, it closes; the next message wakes it again', async () => {
    const bob = gw.sim.messaging.addContact({ phone: '15557650001', name: 'Bob' });
    const first = await outbox.text(bob.pn, 'first');
    await gw.sim.messaging.waitForMessage((m) => m.id === first.waMessageId && !m.ownDevice, 20_000);
    await waitForMessageStatus(gw, first.id, 'sent');
    expect(await consumers()).toBeGreaterThan(0);

    await gw.waitFor('the idle consumer to close', async () => (await consumers()) === 0, 15_000);

    const second = await outbox.text(bob.pn, 'second');
    await gw.sim.messaging.waitForMessage((m) => m.id === second.waMessageId && !m.ownDevice, 20_000);
    expect((await waitForMessageStatus(gw, second.id, 'sent')).attempts).toBe(1);
  }, 60_000);

  it('a delayed job keeps the consumer past its idle time and is sent when due', async () => {
    const carol = gw.sim.messaging.addContact({ phone: '15557650002', name: 'Carol' });
    const id = newId();
    const row = await gw.db.repos.messages.insert({
      id,
      sessionId,
      direction: 'outbound',
      waMessageId: waMessageIdFor(id),
      remoteJid: carol.pn,
      type: 'text',
      payload: { type: 'text', text: 'later' },
    });
    // Due after the idle time has passed twice: only a consumer still running promotes it.
    await enqueue(
      outbox.queue,
      sendMessageJob,
      SEND_QUEUE_JOBS.send,
      { messageId: id, sessionId },
      { jobId: id, delay: IDLE_MS * 2 },
    );
    await gw.sim.messaging.waitForMessage((m) => m.id === row.waMessageId && !m.ownDevice, 20_000);
    await waitForMessageStatus(gw, row.id, 'sent');
    await gw.waitFor('the idle consumer to close', async () => (await consumers()) === 0, 15_000);
  }, 60_000);
});
