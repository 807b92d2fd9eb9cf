import { describe, expect, it } from 'vitest';
import { createTestClient, FAULT_CATALOG } from '../src/index.js';
import { useSimulator } from './sim-test-helpers.js';

// Every node/socket row of the failure table, fired once the QR is showing (as observed).
describe('failure table: Baileys reports the documented status', () => {
  const env = useSimulator();

  it.each(FAULT_CATALOG)('$name → $expectedStatus', async ({ fault, expectedStatus, message }) => {
    const sim = await env.start();
    sim.faults.inject(fault, { at: 'qr' });
    const client = env.track(createTestClient(sim));
    const closed = await client.waitForClose();
    expect(closed.statusCode).toBe(expectedStatus);
    expect(closed.message).toBe(message);
  });

  it('never answering the client hello → 408 after connectTimeoutMs', async () => {
    const sim = await env.start();
    sim.faults.inject({ kind: 'silent' }, { at: 'hello' });
    const client = env.track(createTestClient(sim, { config: { connectTimeoutMs: 1000 } }));
    const closed = await client.waitForClose();
    expect(closed.statusCode).toBe(408);
    expect(closed.message).toBe('Timed Out');
  });

  it('going silent after the handshake → 408 connection lost after keep-alive + 5 s', async () => {
    const sim = await env.start();
    sim.faults.inject({ kind: 'silent' }, { at: 'handshake' });
    const client = env.track(createTestClient(sim, { config: { keepAliveIntervalMs: 500 } }));
    const closed = await client.waitForClose(10_000);
    expect(closed.statusCode).toBe(408);
    expect(closed.message).toBe('Connection was lost');
  });

  it('QR refs exhausted → 408', async () => {
    const sim = await env.start({ behaviour: { qrRefs: 2 } });
    const client = env.track(createTestClient(sim, { config: { qrTimeout: 200 } }));
    const closed = await client.waitForClose();
    expect(closed.statusCode).toBe(408);
    expect(closed.message).toBe('QR refs attempts ended');
    expect(client.updates.filter((u) => u.qr).length).toBe(2);
  });

  it('nothing listening on the port → 408 immediately, and service comes back', async () => {
    const sim = await env.start();
    await sim.faults.refuseConnections();
    const refused = env.track(createTestClient(sim));
    const closed = await refused.waitForClose();
    expect(closed.statusCode).toBe(408);
    expect(closed.message).toMatch(/ECONNREFUSED/);
    await sim.faults.acceptConnections();
    const client = env.track(createTestClient(sim));
    await client.waitForQr();
  });

  it('outage switch resets connections until switched off', async () => {
    const sim = await env.start();
    sim.faults.setOutage(true);
    const client = env.track(createTestClient(sim));
    const closed = await client.waitForClose();
    expect(closed.statusCode).toBe(408);
    expect(sim.counters.connections).toBe(0);
    sim.faults.setOutage(false);
    const after = env.track(createTestClient(sim));
    await after.waitForQr();
  });

  it('HTTP 503 on the upgrade → Baileys never emits close (10 s)', { timeout: 20_000 }, async () => {
    const sim = await env.start();
    sim.faults.rejectUpgrades(503);
    const client = env.track(createTestClient(sim));
    await expect(client.waitForUpdate((u) => u.connection === 'close', 10_000)).rejects.toThrow(
      /no matching/,
    );
    expect(client.updates.some((u) => u.connection === 'open' || u.qr)).toBe(false);
  });
});
