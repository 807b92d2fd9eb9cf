import { redisKeys } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

let gw: Gateway;
beforeAll(async () => {
  // A long lease: the first owner's clock keeps vouching for it long after Redis forgot it.
  gw = await startGateway({ workerEnv: { LEASE_TTL: '30000' } });
});
afterAll(() => gw?.close());

describe('a lease taken over behind its owner’s back', () => {
  it('Redis loses the lease of an open session: the new owner keeps it open, the old one steps aside', async () => {
    await gw.startWorker('first');
    const session = await gw.createSession('taken-over', { linked: true });
    await gw.waitForStatus(session.id, 'open', 60_000);
    // 'first', or one of its peers when the suite runs with several workers (E2E_WORKERS).
    const { id: first } = await gw.ownerWorker(session.id);

    // What a Redis restarted without its data does to one lease: the key is gone, and the first
    // worker's clock still says it holds it for up to 30 s.
    await gw.redis.del(redisKeys(gw.prefix).lease(session.id));
    await gw.startWorker('second');
    await gw.nudge(session.id);

    // Another worker ('second', or a peer) claims (a higher generation) and logs in; WhatsApp
    // replaces the first worker's connection (440). The first must not record that as `conflict`.
    const taken = await gw.waitFor(
      'another worker to own the session, open',
      async () => {
        const row = await gw.db.repos.sessions.getById(session.id);
        return row?.ownerWorkerId && row.ownerWorkerId !== first && row.status === 'open' ? row : undefined;
      },
      30_000,
    );
    // Long enough for the first worker's socket to be replaced and its runner to react.
    await gw.waitFor(
      'one connection left',
      async () => (gw.sim.counters.openConnections === 1 ? true : undefined),
      20_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const row = await gw.db.repos.sessions.getById(session.id);
    expect(row?.status).toBe('open');
    expect(row?.ownerWorkerId).toBe(taken.ownerWorkerId);
    // The replacement happened (the proof this test reached the race), and left no trace in the row.
    expect(gw.sim.counters.replacedConflicts).toBeGreaterThanOrEqual(1);
    const history = await gw.db.repos.sessionEvents.listBySession(session.id, { limit: 50 });
    expect(history.map((e) => e.toStatus)).not.toContain('conflict');
  }, 90_000);
});
