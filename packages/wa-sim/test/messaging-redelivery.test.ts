import type { AuthenticationState } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { createTestClient, pairTestClient, snapshotMemoryAuthState } from '../src/index.js';
import { messagingOf } from '../src/messaging/index.js';
import { recordMessageEvents } from './messaging-baileys-events.js';
import { useSimulator } from './sim-test-helpers.js';

// WhatsApp keeps a message until the device acknowledges it and delivers it again at the device's
// next login; a copy the device cannot decrypt makes it ask the sender, whose phone encrypts the
// message anew. Real Baileys rc14 on the client side of each case.
describe('redelivery of unacknowledged messages, with real Baileys rc14', () => {
  const env = useSimulator();

  async function setup() {
    const sim = await env.start();
    const paired = await pairTestClient(sim);
    env.track(paired.client);
    const messaging = messagingOf(sim);
    const carol = messaging.addContact({ phone: '15559990000', name: 'Carol' });
    /** Ends the client and logs in again from `auth` (default: everything the client stored). */
    const relogin = async (auth: AuthenticationState = paired.client.auth) => {
      const closed = sim.waitForEvent('close');
      await paired.client.end();
      await closed;
      const again = env.track(createTestClient(sim, { auth }));
      return { events: recordMessageEvents(again.sock), sock: again.sock };
    };
    return {
      sim,
      messaging,
      carol,
      paired,
      events: recordMessageEvents(paired.client.sock),
      jid: paired.companion.jid,
      phone: paired.companion.account.phone,
      relogin,
    };
  }

  it('a device that crashed before its receipt left gets the message again at its next login', async () => {
    const { sim, messaging, carol, paired, events, jid, phone, relogin } = await setup();
    // What the device had stored before the message: it dies before storing anything after it.
    const stored = snapshotMemoryAuthState(paired.client.auth);
    messaging.offline.loseAcks(jid, 1);
    const sent = await carol.sendText(phone, 'before the crash');
    await events.waitForUpsert((m) => m.key.id === sent.id);
    expect(messaging.offline.unacknowledged(jid)).toEqual([sent.id]);

    const later = await relogin(stored);
    expect(sim.counters.redeliveries).toBe(1);
    const got = await later.events.waitForUpsert((m) => m.key.id === sent.id);
    expect(got.message?.conversation).toBe('before the crash');
    await messaging.waitForClientReceipt((r) => r.ids.includes(sent.id) && r.connectionId !== 2);
    expect(messaging.offline.unacknowledged(jid)).toEqual([]);
  });

  it('a copy the device already decrypted is refused (nack 487) and not delivered a third time', async () => {
    // Baileys rc14's own limit, which WhatsApp shares: the device used the one-time prekey of this
    // `pkmsg` and stored that, but its receipt never left. The copy delivered again cannot be
    // decrypted; Baileys nacks it (487, no retry request), and the server drops it.
    const { sim, messaging, carol, events, jid, phone, relogin } = await setup();
    messaging.offline.loseAcks(jid, 1);
    const sent = await carol.sendText(phone, 'receipt lost');
    await events.waitForUpsert((m) => m.key.id === sent.id);

    await relogin();
    expect(sim.counters.redeliveries).toBe(1);
    const [nack] = await sim.waitForEvent(
      'stanza-in',
      (entry) => entry.node.tag === 'ack' && entry.node.attrs.id === sent.id,
    );
    expect(nack.node.attrs).toMatchObject({ class: 'message', error: '487' });
    await expect.poll(() => messaging.offline.unacknowledged(jid)).toEqual([]);
    expect(sim.counters.retriesAnswered).toBe(0);
  });

  it('what the device acknowledged is not delivered again', async () => {
    const { sim, messaging, carol, events, phone, relogin } = await setup();
    const first = await carol.sendText(phone, 'one');
    await events.waitForUpsert((m) => m.key.id === first.id);
    await messaging.waitForClientReceipt((r) => r.ids.includes(first.id));

    const later = await relogin();
    const second = await carol.sendText(phone, 'two');
    await later.events.waitForUpsert((m) => m.key.id === second.id);
    expect(later.events.upserts.some((u) => u.message.key.id === first.id)).toBe(false);
    expect(sim.counters.redeliveries).toBe(0);
  });

  it('a device that lost its session with the sender asks again, and the sender starts a new one', async () => {
    const { sim, messaging, carol, paired, events, phone, relogin } = await setup();
    const before = snapshotMemoryAuthState(paired.client.auth);
    // Carol and the device build a session both ways, so her next message is a plain `msg`.
    const first = await carol.sendText(phone, 'hello');
    await events.waitForUpsert((m) => m.key.id === first.id);
    const reply = await paired.client.sock.sendMessage(carol.pn, { text: 'hi' });
    await messaging.waitForMessage((m) => m.id === reply?.key.id && m.recipientPhone === carol.phone);

    // The device comes back without that session (restored from before it): it cannot read `msg`.
    const later = await relogin(before);
    const next = await carol.sendText(phone, 'after the restore');
    expect(next.types).toEqual(['msg']);
    const got = await later.events.waitForUpsert((m) => m.key.id === next.id && !!m.message, 20_000);
    expect(got.message?.conversation).toBe('after the restore');
    expect(sim.counters.retriesAnswered).toBeGreaterThanOrEqual(1);
  });

  it('a retry for a message no peer sent (a forged stanza) is not answered', async () => {
    const { sim, messaging, carol, paired, events, jid } = await setup();
    await messaging.deliver(paired.companion, {
      tag: 'message',
      attrs: { from: carol.pn, sender_lid: carol.lid, id: '3AFORGED0000000001', t: '1', type: 'text' },
      content: [{ tag: 'enc', attrs: { v: '2', type: 'pkmsg' }, content: Buffer.alloc(64, 7) }],
    });
    // The device answers it (a nack or a retry request), which acknowledges it all the same.
    await sim.waitForEvent('stanza-in', (entry) => entry.node.attrs.id === '3AFORGED0000000001');
    await expect.poll(() => messaging.offline.unacknowledged(jid)).toEqual([]);
    expect(sim.counters.retriesAnswered).toBe(0);
    expect(events.upserts.some((u) => u.message.key.id === '3AFORGED0000000001' && u.message.message)).toBe(
      false,
    );
  });
});
