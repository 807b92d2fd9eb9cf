import { Curve, initAuthCreds } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { createMemoryAuthState, createTestClient, pairTestClient } from '../src/index.js';
import { useSimulator } from './sim-test-helpers.js';

describe('session lifecycle after open', () => {
  const env = useSimulator();

  it('515 after open, then the same creds log in again', async () => {
    const sim = await env.start();
    const { client, companion } = await pairTestClient(sim);
    env.track(client);
    sim.faults.inject({ kind: 'stream-error', code: '515' }, { target: { companionJid: companion.jid } });
    expect((await client.waitForClose()).statusCode).toBe(515);
    const again = env.track(createTestClient(sim, { auth: client.auth }));
    await again.waitForOpen();
  });

  it('a second login of the same companion replaces the first (440), counters show it', async () => {
    const sim = await env.start();
    const { client, companion } = await pairTestClient(sim);
    env.track(client);
    expect(sim.counters.replacedConflicts).toBe(0);
    const replaced = sim.waitForEvent('replaced');
    const second = env.track(createTestClient(sim, { auth: client.auth }));
    await second.waitForOpen();
    expect((await replaced)[0].companion).toBe(companion);
    const closed = await client.waitForClose();
    expect(closed.statusCode).toBe(440);
    expect(sim.counters.concurrency(companion.jid)).toEqual({ current: 1, max: 2 });
    expect(sim.connectionsOf(companion.jid)).toHaveLength(1);
    expect(sim.counters.replacedConflicts).toBe(1);
  });

  it('logout removes the companion; its creds then get 401', async () => {
    const sim = await env.start();
    const { client, companion } = await pairTestClient(sim);
    env.track(client);
    const removed = sim.waitForEvent('companion-removed');
    await client.sock.logout();
    await removed;
    expect((await client.waitForClose()).statusCode).toBe(401);
    expect(sim.world.companion(companion.jid)).toBeUndefined();
    const again = env.track(createTestClient(sim, { auth: client.auth }));
    const closed = await again.waitForClose();
    expect(closed.statusCode).toBe(401);
    expect(closed.message).toBe('Connection Failure');
  });

  it('login of an unknown device or with another noise key → 401', async () => {
    const sim = await env.start();
    const stranger = initAuthCreds();
    stranger.me = { id: '15559998888:3@s.whatsapp.net', name: 'x' };
    const unknown = env.track(createTestClient(sim, { auth: createMemoryAuthState(stranger) }));
    expect((await unknown.waitForClose()).statusCode).toBe(401);

    const { client } = await pairTestClient(sim);
    await env.track(client).end();
    const forged = createMemoryAuthState({ ...client.auth.creds, noiseKey: Curve.generateKeyPair() });
    const impostor = env.track(createTestClient(sim, { auth: forged }));
    expect((await impostor.waitForClose()).statusCode).toBe(401);
    expect(sim.counters.loginFailures).toBe(2);
  });

  it('edge routing: the next connection starts with the ED intro carrying the pushed bytes', async () => {
    const sim = await env.start();
    const { client, companion } = await pairTestClient(sim);
    env.track(client);
    const [conn] = sim.connectionsOf(companion.jid);
    const routing = Buffer.from('0801120a73696d2d726f757465', 'hex');
    await sim.pushEdgeRouting(conn!, routing);
    await expect.poll(() => client.auth.creds.routingInfo).toEqual(routing);
    await client.end();
    const again = env.track(createTestClient(sim, { auth: client.auth }));
    await again.waitForOpen();
    expect(sim.connectionsOf(companion.jid)[0]?.routingInfo).toEqual(routing);
  });

  it('faults target one account and leave the others alone', async () => {
    const sim = await env.start();
    const [a, b] = await Promise.all([pairTestClient(sim), pairTestClient(sim)]);
    env.track(a.client);
    env.track(b.client);
    const handle = sim.faults.inject(
      { kind: 'failure', reason: '403' },
      { target: { phone: a.companion.account.phone } },
    );
    expect(handle.applied).toBe(1);
    expect((await a.client.waitForClose()).statusCode).toBe(403);
    expect(b.client.updates.some((u) => u.connection === 'close')).toBe(false);
  });
});
