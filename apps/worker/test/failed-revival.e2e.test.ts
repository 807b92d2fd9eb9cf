import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  gw.sim.faults.setOutage(false);
  await gw.close();
});

/**
 * Resolves once a periodic reconcile pass of a worker (w1, or a peer of it with E2E_WORKERS) has
 * handled a session created now. It is not
 * nudged, and only a pass that read the session list after its creation can see it; the pass
 * handles sessions in id (creation) order, one at a time, so every older session was handled first.
 * A logout of a session nobody runs needs no WhatsApp connection: the pass just marks it logged out.
 */
async function awaitReconcilePass(name: string) {
  const marker = await gw.db.repos.sessions.create({ name });
  await gw.db.repos.sessions.requestCommand(marker.id, { desired: 'stopped', command: 'logout' });
  const done = await gw.waitForStatus(marker.id, 'logged_out', 10_000);
  const [last] = await gw.db.repos.sessionEvents.listBySession(done.id, { limit: 1 });
  expect(gw.workerIds()).toContain(last?.workerId);
}

describe('reconnect attempts run out, then the scheduler revives the session', () => {
  it('three failed reconnects lead to failed; a revival succeeds once WhatsApp accepts again', async () => {
    await gw.startWorker('w1', { RECONNECT_BASE_DELAY: '200', RECONNECT_MAX_ATTEMPTS: '3' });
    const session = await gw.createSession('revival');
    await gw.pair(session.id);
    const me = (await gw.db.repos.sessions.getById(session.id))!.meJid!;

    // WhatsApp goes away: the connection drops and every reconnect is refused.
    gw.sim.faults.setOutage(true);
    gw.sim.faults.inject({ kind: 'terminate' }, { target: { companionJid: me } });
    const failed = await gw.waitForStatus(session.id, 'failed', 15_000);
    expect(failed.statusReason).toMatch(/gave up after 3 reconnect attempts/);
    const history = (await gw.db.repos.sessionEvents.listBySession(session.id)).reverse();
    const attempts = history.filter((e) => e.toStatus === 'reconnecting');
    expect(attempts).toHaveLength(3);
    // The delays grow (200, 400, 800 ms nominal, ±20 % jitter).
    const gaps = attempts.slice(1).map((e, i) => e.createdAt.getTime() - attempts[i]!.createdAt.getTime());
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    // The runner writes `failed` first and the worker lets the lease go after it (released first,
    // another worker could claim a session still `reconnecting` and retry it): moments apart.
    await expect.poll(() => gw.ownerOf(session.id), { timeout: 5000 }).toBeNull();

    // It stays failed: nothing retries on its own. The runner ended with `failed`, so the only
    // thing that could start it again is the worker's periodic reconcile pass. Proof that the pass
    // ran (twice) after the failure and left the session alone: a marker session created after it
    // (so later in the pass's id order) is logged out by the pass, which handled `revival` first.
    const logins = gw.sim.counters.logins;
    const eventsAtFailure = history.length;
    for (const round of [1, 2]) await awaitReconcilePass(`marker-${round}`);
    const after = await gw.db.repos.sessions.getById(session.id);
    expect(after?.status).toBe('failed');
    expect(after?.ownerWorkerId).toBeNull();
    expect(await gw.ownerOf(session.id)).toBeNull();
    expect(await gw.db.repos.sessionEvents.listBySession(session.id)).toHaveLength(eventsAtFailure);
    expect(gw.sim.counters.logins).toBe(logins);

    // WhatsApp is back; the scheduler's revival (after its cool-down) brings the session back.
    gw.sim.faults.setOutage(false);
    await gw.startScheduler({ FAILED_REVIVAL_COOLDOWN: '1000', REVIVAL_INTERVAL: '1000' });
    const reopened = await gw.waitForStatus(session.id, 'open', 20_000);
    expect(reopened.reconnectAttempts).toBe(0);
    expect(gw.sim.counters.logins).toBeGreaterThan(logins);
    const revived = (await gw.db.repos.sessionEvents.listBySession(session.id)).find(
      (e) => e.fromStatus === 'failed' && e.toStatus === 'starting',
    );
    expect(revived?.reason).toBe('revived after cool-down');
  }, 90_000);
});
