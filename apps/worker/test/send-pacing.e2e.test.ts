import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { createOutbox, createSessionWithSettings, waitForMessageStatus } from './messaging-fixtures.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw?.close());

describe('pacing', () => {
  it('spaces sends by the limiter: 10 per minute is one every 6 s', async () => {
    await gw.startWorker('w1');
    const session = await createSessionWithSettings(gw, 'paced', {
      pacing: { perMinute: 10, minDelayMs: 0, maxDelayMs: 0 },
    });
    await gw.pair(session.id);
    const outbox = createOutbox(gw, session.id);
    const fay = gw.sim.messaging.addContact({ phone: '15552223333' });
    const rows = [];
    for (let i = 0; i < 4; i++) rows.push(await outbox.text(fay.pn, `paced ${i}`));
    for (const row of rows) await waitForMessageStatus(gw, row.id, 'sent', 40_000);

    // Receive times at the simulated peer, in queue order.
    const at = rows.map((row) => {
      const copy = gw.sim.messaging.decrypted(fay).find((m) => m.id === row.waMessageId);
      if (!copy) throw new Error(`peer never got ${row.waMessageId}`);
      return copy.at;
    });
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    console.info(`pacing: gaps between arrivals at the peer ${gaps.join(', ')} ms`);
    // Arrival times carry the delivery latency of each message, which varies by up to a second when
    // the suite loads both cores (5,435 ms seen); unpaced sends arrive milliseconds apart.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(4_800);
    // On average the limiter's rate: 3 gaps add up to at least 3 × 6 s less that jitter.
    expect(gaps.reduce((sum, gap) => sum + gap, 0)).toBeGreaterThanOrEqual(17_000);
    // Evenly spaced, not one burst followed by a long wait.
    for (const gap of gaps) expect(gap).toBeLessThan(12_000);
    await outbox.close();
  }, 90_000);
});
