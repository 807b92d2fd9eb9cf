import { describe, expect, it } from 'vitest';
import { pairTestClient } from '../src/index.js';
import { recordMessageEvents } from './messaging-baileys-events.js';
import { useSimulator } from './sim-test-helpers.js';

describe('group messages with sender keys, real Baileys rc14 on both ends of the session', () => {
  const env = useSimulator();

  async function setup() {
    const sim = await env.start();
    const paired = await pairTestClient(sim, { scan: { name: 'Alice' } });
    env.track(paired.client);
    const { sock } = paired.client;
    const carol = sim.messaging.addContact({ phone: '15553330001', name: 'Carol' });
    const dave = sim.messaging.addContact({ phone: '15553330002', name: 'Dave' });
    const erin = sim.messaging.addContact({ phone: '15553330003', name: 'Erin' });
    const group = await sock.groupCreate('Team', [carol.pn, dave.pn, erin.pn]);
    return {
      sim,
      sock,
      account: paired.companion.account,
      companion: paired.companion,
      carol,
      dave,
      erin,
      group,
    };
  }

  it('a session group text is decrypted by every participant device; peers write back with participant set', async () => {
    const { sim, sock, account, companion, carol, dave, erin, group } = await setup();
    const events = recordMessageEvents(sock);

    const sent = await sock.sendMessage(group.id, { text: 'hello team' });
    const id = sent?.key.id ?? '';
    const devices = [carol.lid, dave.lid, erin.lid, account.lidJid];
    for (const device of devices) {
      const got = await sim.groups.waitForDelivery(
        (d) => d.id === id && d.recipient === device && d.outcome !== 'relayed',
        10_000,
      );
      expect(got).toMatchObject({ outcome: 'decrypted', text: 'hello team', sender: companion.lid });
      // The first message carries the sender key to each device in a 1:1 Signal copy.
      expect(got.distribution).toBe('pkmsg');
    }
    expect(sim.groups.decryptedBy(id).sort()).toEqual([...devices].sort());

    // A follow-up is only the skmsg: every device already holds the session's sender key.
    const second = await sock.sendMessage(group.id, { text: 'second' });
    for (const device of devices) {
      const got = await sim.groups.waitForDelivery((d) => d.id === second?.key.id && d.recipient === device);
      expect(got).toMatchObject({ outcome: 'decrypted', text: 'second', distribution: 'none' });
    }

    for (const peer of [carol, dave, erin]) {
      const out = await sim.groups.sendText(peer, group.id, `from ${peer.name}`);
      expect(out.deliveredTo).toEqual([companion.jid]);
      const got = await events.waitForUpsert((m) => m.key.id === out.id, 10_000);
      expect(got.message?.conversation).toBe(`from ${peer.name}`);
      expect(got.key).toMatchObject({ remoteJid: group.id, participant: peer.lid, fromMe: false });
      expect(got.key.participantAlt).toBe(peer.pn);
      // Peers read each other too (the other peers decrypt with the distributed key).
      expect(out.decryptedBy).toHaveLength(3);
    }
    const again = await sim.groups.sendText(carol, group.id, 'carol again');
    expect(again.distributedTo).toEqual([]);
    const got = await events.waitForUpsert((m) => m.key.id === again.id, 10_000);
    expect(got.message?.conversation).toBe('carol again');
  });

  it('an added participant receives what follows; a removed one receives nothing after removal', async () => {
    const { sim, sock, carol, erin, group } = await setup();
    const frank = sim.messaging.addContact({ phone: '15553330004', name: 'Frank' });
    const before = await sock.sendMessage(group.id, { text: 'before' });
    await sim.groups.waitForDelivery((d) => d.id === before?.key.id && d.recipient === erin.lid);

    const added = await sock.groupParticipantsUpdate(group.id, [frank.pn], 'add');
    expect(added).toMatchObject([{ status: '200', jid: frank.pn }]);
    const removed = await sock.groupParticipantsUpdate(group.id, [erin.pn], 'remove');
    expect(removed).toMatchObject([{ status: '200', jid: erin.pn }]);

    const after = await sock.sendMessage(group.id, { text: 'after' });
    const id = after?.key.id ?? '';
    const atFrank = await sim.groups.waitForDelivery((d) => d.id === id && d.recipient === frank.lid);
    expect(atFrank).toMatchObject({ outcome: 'decrypted', text: 'after', distribution: 'pkmsg' });
    await sim.groups.waitForDelivery((d) => d.id === id && d.recipient === carol.lid);
    expect(sim.groups.deliveries({ id }).map((d) => d.recipient)).not.toContain(erin.lid);
    expect(sim.groups.deliveries({ id: before?.key.id ?? '' }).map((d) => d.recipient)).not.toContain(
      frank.lid,
    );

    // A removed peer cannot post either, and the remaining peers' keys were rotated away from her.
    await expect(sim.groups.sendText(erin, group.id, 'still here?')).rejects.toThrow('forbidden');
    const fromCarol = await sim.groups.sendText(carol, group.id, 'rotated');
    expect(fromCarol.distributedTo).not.toContain(erin.lid);
    expect(fromCarol.decryptedBy).toContain(frank.lid);
  });

  it('a device that lost the sender key asks for a retry and Baileys resends with the key', async () => {
    const { sim, sock, carol, dave, group } = await setup();
    const first = await sock.sendMessage(group.id, { text: 'first' });
    await sim.groups.waitForDelivery((d) => d.id === first?.key.id && d.recipient === carol.lid);
    expect(sim.groups.forgetSenderKeys(carol, group.id)).toBeGreaterThan(0);

    const second = await sock.sendMessage(group.id, { text: 'lost key' });
    const id = second?.key.id ?? '';
    const failed = await sim.groups.waitForDelivery((d) => d.id === id && d.recipient === carol.lid);
    expect(failed.outcome).toBe('failed');
    await sim.groups.waitForRetry((r) => r.id === id && r.from === carol.lid);
    const resent = await sim.groups.waitForDelivery(
      (d) => d.id === id && d.recipient === carol.lid && d.retry,
      10_000,
    );
    expect(resent).toMatchObject({ outcome: 'decrypted', text: 'lost key' });
    // The resend carried the session's sender key again in a 1:1 copy.
    expect(resent.distribution).not.toBe('none');
    // Carol is a phone (device 0), so Baileys sends the message to everyone again: Dave gets a second copy.
    const atDave = await sim.groups.waitForDelivery(
      (d) => d.id === id && d.recipient === dave.lid && d.retry,
    );
    expect(atDave.outcome).toBe('decrypted');
    expect(sim.groups.deliveries({ id }).filter((d) => d.recipient === dave.lid)[0]).toMatchObject({
      outcome: 'decrypted',
      retry: false,
    });
  });

  it("a peer's skmsg without its key makes Baileys send a retry receipt, answered with the key", async () => {
    const { sim, sock, dave, group } = await setup();
    const events = recordMessageEvents(sock);
    const out = await sim.groups.sendText(dave, group.id, 'no key yet', { withoutDistribution: true });
    expect(out.distributedTo).toEqual([]);
    await sim.groups.waitForRetry((r) => r.id === out.id && r.direction === 'session-to-peer', 10_000);
    const got = await events.waitForUpsert(
      (m) => m.key.id === out.id && m.message?.conversation === 'no key yet',
      15_000,
    );
    expect(got.key).toMatchObject({ remoteJid: group.id, participant: dave.lid });
  });
});
