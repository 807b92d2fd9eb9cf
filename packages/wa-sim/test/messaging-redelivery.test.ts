import { describe, expect, it } from 'vitest';
import { createTestClient, pairTestClient } from '../src/index.js';
import { messagingOf } from '../src/messaging/index.js';
import { recordMessageEvents } from './messaging-baileys-events.js';
import { useSimulator } from './sim-test-helpers.js';

/** Stops a Baileys socket from reading what the server sends: it neither decrypts nor receipts. */
function deafen(sock: { ws: { removeAllListeners(event: string): unknown } }) {
  sock.ws.removeAllListeners('message');
}

describe('messages the client never acknowledged (real Baileys rc14)', () => {
  const env = useSimulator();

  it('are written again at the next login when the connection ends first, and arrive once', async () => {
    const sim = await env.start();
    const paired = await pairTestClient(sim);
    env.track(paired.client);
    const messaging = messagingOf(sim);
    const peer = messaging.addContact({ phone: '15556667777' });
    const jid = paired.companion.jid;

    deafen(paired.client.sock);
    const lost = [
      await peer.sendText(paired.companion.account.phone, 'unread 1'),
      await peer.sendText(paired.companion.account.phone, 'unread 2'),
    ];
    expect(lost.every((m) => m.queuedFor.length === 0)).toBe(true);
    expect(messaging.unacknowledged.count(jid)).toBe(2);
    const closed = sim.waitForEvent('close');
    await paired.client.end();
    await closed;
    expect(sim.counters.redeliveredMessages).toBe(2);

    const again = env.track(createTestClient(sim, { auth: paired.client.auth }));
    const events = recordMessageEvents(again.sock);
    for (const m of lost) await events.waitForUpsert((u) => u.key.id === m.id);
    // Receipted this time: nothing left to write again.
    await messaging.waitForClientReceipt((r) => r.ids.includes(lost[1]!.id));
    await messaging.waitForClientReceipt((r) => r.ids.includes(lost[0]!.id));
    expect(messaging.unacknowledged.count(jid)).toBe(0);
    expect(events.upserts.filter((u) => lost.some((m) => m.id === u.message.key.id))).toHaveLength(2);
  });

  it('messages the client acknowledged are not written again', async () => {
    const sim = await env.start();
    const paired = await pairTestClient(sim);
    env.track(paired.client);
    const messaging = messagingOf(sim);
    const peer = messaging.addContact({ phone: '15556668888' });
    const events = recordMessageEvents(paired.client.sock);
    const sent = await peer.sendText(paired.companion.account.phone, 'seen');
    await events.waitForUpsert((u) => u.key.id === sent.id);
    await messaging.waitForClientReceipt((r) => r.ids.includes(sent.id));
    await paired.client.end();
    expect(messaging.unacknowledged.count(paired.companion.jid)).toBe(0);
    expect(sim.counters.redeliveredMessages).toBe(0);
  });
});
