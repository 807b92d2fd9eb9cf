import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway, stopProcess } from './harness.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.close());

describe('a session on real worker processes', () => {
  it('pairs by QR, reaches open, and comes back open from stored auth after a worker restart', async () => {
    await gw.startWorker('w1');
    const session = await gw.createSession('lifecycle');
    await gw.pair(session.id);
    const pairings = gw.sim.counters.pairings;
    const registrations = gw.sim.counters.registrations;
    // w1, or one of its peers when the suite runs with several workers (E2E_WORKERS).
    expect(gw.workerIds()).toContain(await gw.ownerOf(session.id));

    // Every worker stops (one by one, the owner last, so that no other takes the session over).
    const owner = await gw.ownerWorker(session.id);
    const others = gw.workerIds().filter((id) => id !== owner.id);
    for (const id of [...others, owner.id]) {
      const stopped = await stopProcess(gw.workers.get(id)!, 'SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.elapsedMs).toBeLessThan(30_000);
    }
    // Handed over, not logged out: the lease is released at once and the session waits for an owner.
    expect(await gw.ownerOf(session.id)).toBeNull();

    await gw.startWorker('w2');
    await gw.waitForStatus(session.id, 'open');
    expect(await gw.ownerOf(session.id)).toBe('w2');
    // No new QR pairing and no new registration: the stored credentials logged in.
    expect(gw.sim.counters.pairings).toBe(pairings);
    expect(gw.sim.counters.registrations).toBe(registrations);
    expect(gw.sim.counters.maxConcurrentPerCompanion).toBe(1);
  }, 60_000);
});
