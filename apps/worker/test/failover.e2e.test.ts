import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway, stopProcess } from './harness.js';

const SESSIONS = 20;
const LEASE_TTL_MS = 2000;

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ workerEnv: { LEASE_TTL: String(LEASE_TTL_MS) } });
});
afterAll(() => gw.close());

describe('failover between worker processes', () => {
  it(`kill -9 of a worker holding ${SESSIONS} open sessions: all open on the other worker within lease TTL + 7 s`, async () => {
    await gw.startWorker('doomed');
    // 'doomed' and, when the suite runs with several workers (E2E_WORKERS), its peers: they share
    // the sessions and all die together, so that one survivor has to take every session over.
    const doomed = gw.workerIds();
    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, (_, i) => gw.createSession(`failover-${i}`, { linked: true })),
    );
    // Linked beforehand (session-lifecycle.e2e.test.ts covers QR pairing): they open by logging in.
    await Promise.all(sessions.map((s) => gw.waitForStatus(s.id, 'open', 60_000)));
    // Under full-suite load, twenty logins at once can stall the worker's event loop past the 2 s lease;
    // it then drops and retakes those sessions itself (seen once in CI), so wait for ownership to settle.
    await gw.waitFor(
      'every session owned by doomed',
      async () => {
        for (const s of sessions) if (!doomed.includes((await gw.ownerOf(s.id)) ?? '')) return false;
        for (const s of sessions)
          if ((await gw.db.repos.sessions.getById(s.id))?.status !== 'open') return false;
        return true;
      },
      30_000,
    );
    await gw.startWorker('survivor');
    const pairings = gw.sim.counters.pairings;
    const registrations = gw.sim.counters.registrations;

    const killedAt = Date.now();
    const stopped = await Promise.all(doomed.map((id) => stopProcess(gw.workers.get(id)!, 'SIGKILL')));
    expect(stopped.map(({ code }) => code)).toEqual(doomed.map(() => null));

    await gw.waitFor(
      'every session open on the survivor',
      async () => {
        for (const s of sessions) {
          const row = await gw.db.repos.sessions.getById(s.id);
          if (row?.status !== 'open' || (await gw.ownerOf(s.id)) !== 'survivor') return false;
        }
        return true;
      },
      30_000,
    );
    const failoverMs = Date.now() - killedAt;
    console.info(`failover of ${SESSIONS} sessions took ${failoverMs} ms (lease TTL ${LEASE_TTL_MS} ms)`);
    // Measured 3-6 s alone; 7.07 s once in the full suite on 2 cores with four heavy files beside it.
    expect(failoverMs).toBeLessThan(LEASE_TTL_MS + 7000);
    // No re-pairing: the survivor logged in with the credentials the dead worker left in the database.
    expect(gw.sim.counters.pairings).toBe(pairings);
    expect(gw.sim.counters.registrations).toBe(registrations);
    // Never two simultaneous connections for one session.
    expect(gw.sim.counters.maxConcurrentPerCompanion).toBe(1);
  }, 120_000);

  it('SIGTERM of a worker with open sessions: exit 0 within 30 s, sessions resume on the other worker', async () => {
    const leaving = await gw.startWorker('leaving');
    // Everything from the first test now sits on 'survivor'; give 'leaving' sessions of its own.
    await stopProcess(gw.workers.get('survivor')!, 'SIGTERM');
    const sessions = await gw.db.repos.sessions.list();
    await gw.waitFor(
      'all sessions open on leaving',
      async () => {
        for (const s of sessions) {
          if ((await gw.db.repos.sessions.getById(s.id))?.status !== 'open') return false;
          if ((await gw.ownerOf(s.id)) !== 'leaving') return false;
        }
        return true;
      },
      30_000,
    );
    await gw.startWorker('taker');
    const { code, elapsedMs } = await stopProcess(leaving, 'SIGTERM');
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(30_000);
    const handedOverAt = Date.now();
    await gw.waitFor(
      'all sessions open on taker',
      async () => {
        for (const s of sessions) {
          if ((await gw.db.repos.sessions.getById(s.id))?.status !== 'open') return false;
          if ((await gw.ownerOf(s.id)) !== 'taker') return false;
        }
        return true;
      },
      30_000,
    );
    // A graceful stop releases leases, so the handover does not wait for the TTL.
    console.info(
      `graceful handover of ${sessions.length} sessions took ${Date.now() - handedOverAt} ms after exit`,
    );
    expect(gw.sim.counters.maxConcurrentPerCompanion).toBe(1);
  }, 120_000);
});
