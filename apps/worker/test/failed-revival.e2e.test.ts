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
    expect(await gw.ownerOf(session.id)).toBeNull();

    // It stays failed: nothing retries on its own.
    const logins = gw.sim.counters.logins;
    await new Promise((r) => setTimeout(r, 1000));
    expect((await gw.db.repos.sessions.getById(session.id))?.status).toBe('failed');

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
