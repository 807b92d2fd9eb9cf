import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

const SESSIONS = Number(process.env.OUTAGE_SESSIONS ?? 200);
const CONCURRENCY = 10;

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ sim: { transcriptLimit: 2000 } });
});
afterAll(async () => {
  gw.sim.faults.setOutage(false);
  await gw.close();
});

describe('a WhatsApp outage that drops every session at once', () => {
  it(`${SESSIONS} sessions: reconnects never exceed the per-worker limit; all open again afterwards`, async () => {
    await gw.startWorker('herd', {
      MAX_SESSIONS_PER_WORKER: String(SESSIONS),
      RECONNECT_CONCURRENCY: String(CONCURRENCY),
      // Long enough that a 2 s outage does not exhaust the attempts (1 s, 2 s, 4 s).
      RECONNECT_BASE_DELAY: '1000',
      // Pairing 200 sessions keeps this one worker's event loop busy; a 3 s test lease would lapse.
      LEASE_TTL: '10000',
      WATCHDOG_OPEN_TIMEOUT: '30000',
      WA_CONNECT_TIMEOUT: '20000',
      WA_QUERY_TIMEOUT: '20000',
      LOG_LEVEL: process.env.OUTAGE_LOG ?? 'warn',
    });
    const sessions = [];
    for (let i = 0; i < SESSIONS; i++)
      sessions.push(await gw.createSession(`herd-${i}`, { seedPreKeys: true }));
    const pairedAt = Date.now();
    // Pair in waves: QR pairing is human-paced in real life, and 200 at once would only measure how
    // long one worker's event loop can stay saturated; the outage below is what this test is about.
    for (let i = 0; i < sessions.length; i += 25) {
      await Promise.all(sessions.slice(i, i + 25).map((s) => gw.pair(s.id, 60_000)));
    }
    console.info(`${SESSIONS} sessions paired in ${Date.now() - pairedAt} ms`);

    gw.sim.counters.resetMax();
    const dropped = gw.sim.faults.setOutage(true);
    expect(dropped).toBe(SESSIONS);
    await new Promise((r) => setTimeout(r, 2000));
    const outageEnded = Date.now();
    gw.sim.faults.setOutage(false);

    await gw.waitFor(
      'every session open again',
      async () => (await gw.db.repos.sessions.countByStatus()).open === SESSIONS,
      120_000,
    );
    console.info(
      `all ${SESSIONS} open again ${Date.now() - outageEnded} ms after the outage; max connecting at once: ${gw.sim.counters.maxConnecting}`,
    );
    expect(gw.sim.counters.maxConnecting).toBeLessThanOrEqual(CONCURRENCY);
    expect(gw.sim.counters.maxConcurrentPerCompanion).toBe(1);
    expect((await gw.db.repos.sessions.countByStatus()).failed).toBe(0);
  }, 400_000);
});
