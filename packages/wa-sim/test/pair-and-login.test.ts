import { describe, expect, it } from 'vitest';
import { createMemoryAuthState, createTestClient, pairTestClient } from '../src/index.js';
import { useSimulator } from './sim-test-helpers.js';

describe('pairing and login with real Baileys rc14', () => {
  const env = useSimulator();

  it('pairs by QR, restarts on 515 and opens; then logs in again from stored creds', async () => {
    const sim = await env.start();
    const auth = createMemoryAuthState();
    const paired = await pairTestClient(sim, { auth, scan: { name: 'Alice' } });
    env.track(paired.client);
    // ~190 ms alone; the bound tells it apart from Baileys' 20 s wait for a first history sync that
    // never comes (2052 ms was seen once with eleven files running beside it).
    expect(paired.loginToOpenMs).toBeLessThan(10_000);
    expect(auth.creds.me?.id).toBe(paired.companion.jid);
    expect(auth.creds.me?.lid).toBe(paired.companion.lid);
    expect(paired.companion.preKeys.size).toBeGreaterThan(0);
    console.info(`pair → open ${paired.pairToOpenMs} ms, login → open ${paired.loginToOpenMs} ms`);
    await paired.client.end();

    const again = env.track(createTestClient(sim, { auth }));
    const openMs = await again.waitForOpen();
    console.info(`stored creds → open ${openMs} ms`);
    expect(openMs).toBeLessThan(2000);
    expect(sim.counters.logins).toBe(2);
    expect(sim.counters.maxConcurrentPerCompanion).toBe(1);
  });

  it('first socket reaches the QR and the 515 restart in under 2 s of protocol time', async () => {
    const sim = await env.start();
    const client = env.track(createTestClient(sim));
    const qr = await client.waitForQr();
    const started = Date.now();
    const [companion, closed] = await Promise.all([sim.scan(qr), client.waitForClose()]);
    expect(closed.statusCode).toBe(515);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sim.world.companion(companion.jid)).toBe(companion);
  });

  it('scans the QR string as a gateway API hands it out, with or without the wa.me prefix', async () => {
    const sim = await env.start();
    const clients = [0, 1].map(() => env.track(createTestClient(sim)));
    const [withPrefix, bare] = await Promise.all(clients.map((client) => client.waitForQr()));
    expect(withPrefix).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#/);
    const companions = await Promise.all([
      sim.scan(withPrefix!, { phone: '15550002222' }),
      sim.scan(bare!.slice(bare!.indexOf('#') + 1), { phone: '15550002222' }),
    ]);
    expect(companions.map((c) => c.account.phone)).toEqual(['15550002222', '15550002222']);
    expect(sim.world.account('15550002222')?.companions.size).toBe(2);
    const closes = await Promise.all(clients.map((client) => client.waitForClose()));
    expect(closes.map((c) => c.statusCode)).toEqual([515, 515]);
  });
});
