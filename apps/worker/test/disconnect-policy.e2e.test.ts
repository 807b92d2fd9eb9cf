import type { Session } from '@wagw/db';
import type { DisconnectFault } from '@wagw/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway();
  await gw.startWorker('policy-worker');
}, 30_000);
afterAll(() => gw.close());

let counter = 0;
async function openSession(): Promise<Session> {
  const created = await gw.createSession(`policy-${++counter}`);
  await gw.pair(created.id);
  return (await gw.db.repos.sessions.getById(created.id))!;
}

/** Injects the fault; returns the simulator's login count just before, for `expectNoReconnect`. */
function inject(session: Session, fault: DisconnectFault): number {
  const logins = gw.sim.counters.logins;
  const handle = gw.sim.faults.inject(fault, { target: { companionJid: session.meJid! } });
  expect(handle.applied).toBe(1);
  return logins;
}

async function events(sessionId: string) {
  return (await gw.db.repos.sessionEvents.listBySession(sessionId)).reverse();
}

/**
 * Proves nothing reconnected: the runner ends after recording a terminal status and then releases
 * the lease, so once nobody owns the session there was no new login for that device in between,
 * and none can follow (no worker claims a session in a terminal status).
 */
async function expectNoReconnect(session: Session, loginsBefore: number) {
  await gw.waitFor(
    'the runner to end and release the session',
    async () => (await gw.ownerOf(session.id)) === null,
  );
  expect(gw.sim.counters.logins).toBe(loginsBefore);
  expect(gw.sim.counters.concurrency(session.meJid!).current).toBe(0);
}

describe('disconnect policy on a real worker', () => {
  it('515 restart required: reconnects at once, without counting an attempt', async () => {
    const session = await openSession();
    inject(session, { kind: 'stream-error', code: '515' });
    await gw.waitFor('a 515 connecting event', async () =>
      (await events(session.id)).some((e) => e.toStatus === 'connecting' && e.disconnectCode === 515),
    );
    const reopened = await gw.waitForStatus(session.id, 'open');
    expect(reopened.reconnectAttempts).toBe(0);
    expect((await events(session.id)).some((e) => e.toStatus === 'reconnecting')).toBe(false);
  });

  it.each([
    ['503 service unavailable', { kind: 'stream-error', code: '503' }, 503],
    ['500 stream error', { kind: 'stream-error', child: { tag: 'ack', attrs: {} } }, 500],
    ['428 xmlstreamend', { kind: 'xmlstreamend' }, 428],
    ['428 connection reset', { kind: 'terminate' }, 428],
    ['428 clean close', { kind: 'close' }, 428],
  ] as Array<[string, DisconnectFault, number]>)(
    '%s: backs off, reconnects and resets the attempt count',
    async (_name, fault, code) => {
      const session = await openSession();
      inject(session, fault);
      const reconnecting = await gw.waitForStatus(session.id, 'reconnecting');
      expect(reconnecting.lastDisconnectCode).toBe(code);
      expect(reconnecting.reconnectAttempts).toBe(1);
      const reopened = await gw.waitForStatus(session.id, 'open');
      expect(reopened.reconnectAttempts).toBe(0);
      expect(gw.sim.counters.concurrency(session.meJid!).max).toBe(1);
    },
  );

  it('408 silent server: Baileys notices the lost connection and the session comes back', async () => {
    const session = await openSession();
    inject(session, { kind: 'silent' });
    const reconnecting = await gw.waitForStatus(session.id, 'reconnecting', 15_000);
    expect(reconnecting.lastDisconnectCode).toBe(408);
    await gw.waitForStatus(session.id, 'open');
  });

  it('401 logged out: no retry, status logged_out, auth state cleared', async () => {
    const session = await openSession();
    const logins = inject(session, { kind: 'failure', reason: '401' });
    const out = await gw.waitForStatus(session.id, 'logged_out');
    expect(out.lastDisconnectCode).toBe(401);
    expect(await gw.db.repos.authState.getCreds(session.id)).toBeNull();
    await expectNoReconnect(session, logins);
  });

  it('401 device removed: logged_out, auth cleared', async () => {
    const session = await openSession();
    const logins = inject(session, {
      kind: 'stream-error',
      code: '401',
      child: { tag: 'conflict', attrs: { type: 'device_removed' } },
    });
    await gw.waitForStatus(session.id, 'logged_out');
    expect(await gw.db.repos.authState.getCreds(session.id)).toBeNull();
    await expectNoReconnect(session, logins);
  });

  it('403 forbidden: failed, auth kept, no retry', async () => {
    const session = await openSession();
    const logins = inject(session, { kind: 'failure', reason: '403' });
    const failed = await gw.waitForStatus(session.id, 'failed');
    expect(failed.lastDisconnectCode).toBe(403);
    expect(await gw.db.repos.authState.getCreds(session.id)).not.toBeNull();
    await expectNoReconnect(session, logins);
  });

  it('440 replaced: conflict, and the gateway does not fight back', async () => {
    const session = await openSession();
    const logins = inject(session, {
      kind: 'stream-error',
      child: { tag: 'conflict', attrs: { type: 'replaced' } },
    });
    const conflict = await gw.waitForStatus(session.id, 'conflict');
    expect(conflict.lastDisconnectCode).toBe(440);
    await expectNoReconnect(session, logins);
  });
});
