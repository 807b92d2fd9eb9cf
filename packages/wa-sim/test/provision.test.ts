import { Curve } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { createMemoryAuthState, createTestClient } from '../src/index.js';
import { useSimulator } from './sim-test-helpers.js';

describe('provisioning a companion without a QR scan', () => {
  const env = useSimulator();

  it('updates the creds as Baileys pairing does; they log in and open without a pre-key upload', async () => {
    const sim = await env.start();
    const auth = createMemoryAuthState();
    const preKeys = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, pair: Curve.generateKeyPair() }));
    for (const key of preKeys) await auth.keys.set({ 'pre-key': { [key.id]: key.pair } });
    auth.creds.nextPreKeyId = 11;
    auth.creds.firstUnuploadedPreKeyId = 11;

    const companion = sim.provision(auth.creds, {
      name: 'Bench',
      preKeys: preKeys.map((key) => ({ id: key.id, publicKey: key.pair.public })),
    });
    expect(auth.creds.me).toMatchObject({ id: companion.jid, lid: companion.lid, name: 'Bench' });
    expect(auth.creds.account?.deviceSignature).toBeDefined();
    expect(sim.world.companion(companion.jid)).toBe(companion);

    const client = env.track(createTestClient(sim, { auth }));
    await client.waitForOpen();
    expect(sim.counters.logins).toBe(1);
    // Baileys found more than 5 keys on the server and its current one in storage: nothing uploaded.
    const uploads = sim.transcript.find(
      (e) => e.direction === 'in' && e.node.attrs.xmlns === 'encrypt' && e.node.attrs.type === 'set',
    );
    expect(uploads).toHaveLength(0);
    expect(companion.preKeys.size).toBe(10);
  });

  it('refuses creds that were never provisioned or paired (401 at login)', async () => {
    const sim = await env.start();
    const provisioned = createMemoryAuthState();
    sim.provision(provisioned.creds);
    const stranger = createMemoryAuthState();
    stranger.creds.me = provisioned.creds.me;
    stranger.creds.account = provisioned.creds.account;
    const client = env.track(createTestClient(sim, { auth: stranger }));
    const closed = await client.waitForClose();
    expect(closed.statusCode).toBe(401);
  });
});
