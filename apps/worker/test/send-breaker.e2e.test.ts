import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { createOutbox, waitForMessageStatus, workerHeartbeat } from './messaging-fixtures.js';

const RESET_MS = 4000;
let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway({
    workerEnv: {
      SEND_JITTER_MS: '0',
      SEND_RATE_PER_MINUTE: '600',
      MSG_FAILURE_THRESHOLD: '5',
      MSG_RESET_TIMEOUT: String(RESET_MS),
    },
  });
});
afterAll(() => gw?.close());

describe('the send circuit breaker', () => {
  it('opens after 5 failed sends, holds messages (none failed), shows in the heartbeat, and recovers', async () => {
    await gw.startWorker('w1');
    const session = await gw.createSession('breaker');
    await gw.pair(session.id);
    // w1, or one of its peers when the suite runs with several workers (E2E_WORKERS).
    const { id: owner } = await gw.ownerWorker(session.id);
    const outbox = createOutbox(gw, session.id);
    const erin = gw.sim.messaging.addContact({ phone: '15554443333', name: 'Erin' });

    // WhatsApp answers the next five sends with a server error (ack error="500").
    gw.sim.messaging.acks.fail(5, '500');
    const rows = [];
    for (let i = 0; i < 3; i++) rows.push(await outbox.text(erin.pn, `message ${i}`));

    const beat = await gw.waitFor(
      'the breaker to be open in the heartbeat',
      async () => {
        const hb = await workerHeartbeat(gw, owner);
        const breakers = hb?.breakers as Record<string, string> | undefined;
        return breakers?.[`send:${session.id}`] === 'open' ? breakers : undefined;
      },
      20_000,
    );
    const openedAt = Date.now();
    expect(beat.db).toBe('closed');
    const counts = await gw.db.repos.messages.countByStatus(session.id);
    expect(counts.failed).toBe(0);
    expect(counts.queued + counts.sending).toBe(3);

    // After the reset time a probe goes through and everything is sent, under the same WhatsApp ids.
    for (const row of rows) await waitForMessageStatus(gw, row.id, 'sent', 30_000);
    expect(Date.now() - openedAt).toBeGreaterThan(RESET_MS / 2);
    const counted = await gw.db.repos.messages.countByStatus(session.id);
    expect(counted.failed).toBe(0);
    const ids = new Set(gw.sim.messaging.decrypted(erin).map((m) => m.id));
    expect([...ids].sort()).toEqual(rows.map((r) => r.waMessageId).sort());
    await gw.waitFor('the breaker to close', async () => {
      const hb = await workerHeartbeat(gw, owner);
      return (hb?.breakers as Record<string, string> | undefined)?.[`send:${session.id}`] === 'closed';
    });
    await outbox.close();
  }, 90_000);
});
