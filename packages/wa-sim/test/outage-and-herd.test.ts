import { describe, expect, it } from 'vitest';
import { createMemoryAuthState, createTestClient, pairTestClient } from '../src/index.js';
import { useSimulator } from './sim-test-helpers.js';

const SESSIONS = 3;

describe('outages and reconnect waves', () => {
  const env = useSimulator();

  it('counts connections still connecting (QR showing) and their maximum per window', async () => {
    const sim = await env.start();
    const clients = Array.from({ length: 4 }, () => env.track(createTestClient(sim)));
    await Promise.all(clients.map((client) => client.waitForQr()));
    expect(sim.counters.connectingNow).toBe(4);
    expect(sim.counters.maxConnecting).toBe(4);
    await Promise.all(clients.slice(0, 3).map((client) => client.end()));
    await expect.poll(() => sim.counters.connectingNow).toBe(1);
    sim.counters.resetMax();
    expect(sim.counters.maxConnecting).toBe(1);
    expect(sim.counters.maxOpenConnections).toBe(1);
  });

  it('an outage drops every session at once (428) and refuses new ones (408) until lifted', async () => {
    const sim = await env.start();
    const paired = await Promise.all(
      Array.from({ length: SESSIONS }, () =>
        pairTestClient(sim, { auth: createMemoryAuthState(undefined, { seedPreKeys: 812 }) }),
      ),
    );
    for (const { client } of paired) env.track(client);
    expect(sim.counters.connectingNow).toBe(0);

    expect(sim.faults.setOutage(true)).toBe(SESSIONS);
    expect(sim.connections()).toHaveLength(0);
    const closes = await Promise.all(paired.map(({ client }) => client.waitForClose()));
    expect(closes.map((c) => c.statusCode)).toEqual(Array(SESSIONS).fill(428));
    const connections = sim.counters.connections;
    const refused = env.track(createTestClient(sim, { auth: paired[0]!.client.auth }));
    expect((await refused.waitForClose()).statusCode).toBe(408);
    expect(sim.counters.connections).toBe(connections);

    // The service comes back and every session reconnects at once: the thundering herd.
    sim.faults.setOutage(false);
    sim.counters.resetMax();
    const again = paired.map(({ client }) => env.track(createTestClient(sim, { auth: client.auth })));
    await Promise.all(again.map((client) => client.waitForOpen()));
    expect(sim.counters.connectingNow).toBe(0);
    expect(sim.counters.maxConnecting).toBeGreaterThanOrEqual(1);
    expect(sim.counters.maxConnecting).toBeLessThanOrEqual(SESSIONS);
    expect(sim.counters.replacedConflicts).toBe(0);
    for (const { companion } of paired) {
      expect(sim.counters.concurrency(companion.jid)).toEqual({ current: 1, max: 1 });
    }
  });
});
