import { describe, expect, it } from 'vitest';
import { createMemoryAuthState, createTestClient, pairTestClient } from '../src/index.js';
import { useSimulator } from './helpers.js';

describe('pairing and login with real Baileys rc14', () => {
  const env = useSimulator();

  it('pairs by QR, restarts on 515 and opens; then logs in again from stored creds', async () => {
    const sim = await env.start();
    const auth = createMemoryAuthState();
    const paired = await pairTestClient(sim, { auth, scan: { name: 'Alice' } });
    env.track(paired.client);
    expect(paired.loginToOpenMs).toBeLessThan(2000);
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
});
