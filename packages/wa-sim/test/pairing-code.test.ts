import { describe, expect, it } from 'vitest';
import { createMemoryAuthState, createTestClient } from '../src/index.js';
import { useSimulator } from './sim-test-helpers.js';

const PHONE = '15550001234';

describe('pairing by phone number (link_code_companion_reg) with real Baileys rc14', () => {
  const env = useSimulator();

  it('the phone types the code, the companion gets pair-success, restarts on 515 and opens without a QR scan', async () => {
    const sim = await env.start();
    const auth = createMemoryAuthState();
    const first = env.track(createTestClient(sim, { auth }));
    await first.waitForQr();
    const code = await first.sock.requestPairingCode(PHONE);
    expect(code).toMatch(/^[1-9A-HJ-NP-Z]{8}$/);

    const [companion, closed] = await Promise.all([
      // As a person types it off the screen: in two halves with a dash.
      sim.enterPairingCode(PHONE, `${code.slice(0, 4)}-${code.slice(4)}`, { name: 'Alice' }),
      first.waitForClose(),
    ]);
    expect(closed.statusCode).toBe(515);
    expect(companion.account.phone).toBe(PHONE);
    expect(companion.identityKey.equals(Buffer.from(auth.creds.signedIdentityKey.public))).toBe(true);
    expect(auth.creds.me?.id).toBe(companion.jid);
    expect(auth.creds.me?.lid).toBe(companion.lid);
    expect(auth.creds.me?.name).toBe('Alice');
    expect(auth.creds.registered).toBe(true);

    const second = env.track(createTestClient(sim, { auth }));
    await second.waitForOpen();
    expect(sim.counters.pairingCodeRequests).toBe(1);
    expect(sim.counters.pairingCodeFailures).toBe(0);
    expect(sim.counters.pairings).toBe(1);
    expect(sim.counters.logins).toBe(1);
    // The notification carried the phone's half; the QR refs were never used.
    const hello = sim.transcript
      .all()
      .find(
        (e) =>
          e.direction === 'out' &&
          e.node.tag === 'notification' &&
          e.node.attrs.type === 'link_code_companion_reg',
      );
    expect(hello).toBeDefined();
  });

  it('a wrong code does not link: no pair-success, the socket stays up, and the right code still works', async () => {
    const sim = await env.start();
    const auth = createMemoryAuthState();
    const first = env.track(createTestClient(sim, { auth }));
    await first.waitForQr();
    const code = await first.sock.requestPairingCode(PHONE);
    const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;

    await expect(sim.enterPairingCode(PHONE, wrong)).rejects.toThrow(/Couldn't link device/);
    expect(sim.counters.pairingCodeFailures).toBe(1);
    expect(sim.counters.pairings).toBe(0);
    expect(sim.world.account(PHONE)?.companions.size ?? 0).toBe(0);
    expect(first.updates.some((u) => u.connection === 'close')).toBe(false);
    expect(auth.creds.me?.lid).toBeUndefined();

    const [companion, closed] = await Promise.all([sim.enterPairingCode(PHONE, code), first.waitForClose()]);
    expect(closed.statusCode).toBe(515);
    const second = env.track(createTestClient(sim, { auth }));
    await second.waitForOpen();
    expect(auth.creds.me?.id).toBe(companion.jid);
    expect(sim.counters.pairings).toBe(1);
  });

  it('a code for a number nobody asked a code for is refused', async () => {
    const sim = await env.start();
    await expect(sim.enterPairingCode('15559990000', 'ABCDEFGH', { timeoutMs: 300 })).rejects.toThrow(
      /no pairing code request for \+15559990000/,
    );
  });
});
