import { describe, expect, it } from 'vitest';
import { pairTestClient } from '../src/index.js';
import { messagingOf } from '../src/messaging/index.js';
import { recordMessageEvents } from './messaging-baileys-events.js';
import { useSimulator } from './sim-test-helpers.js';

describe('client → simulated contact with real Baileys rc14', () => {
  const env = useSimulator();

  async function setup() {
    const sim = await env.start();
    const paired = await pairTestClient(sim, { scan: { name: 'Alice' } });
    env.track(paired.client);
    const messaging = messagingOf(sim);
    return { sim, messaging, sock: paired.client.sock, companion: paired.companion };
  }

  it('the contact decrypts the text; delivery and read receipts become statuses 3 and 4', async () => {
    const { messaging, sock, companion } = await setup();
    const bob = messaging.addContact({ phone: '15557654321', name: 'Bob' });
    const events = recordMessageEvents(sock);

    const sent = await sock.sendMessage(bob.pn, { text: 'hello bob' });
    const id = sent?.key.id ?? '';
    const got = await messaging.waitForMessage((m) => m.id === id && m.recipientPhone === bob.phone);
    expect(got.text).toBe('hello bob');
    expect(got.sender).toBe(companion.jid);
    // The account's own phone gets a deviceSentMessage copy of the same text.
    const own = await messaging.waitForMessage((m) => m.id === id && m.ownDevice);
    expect(own.text).toBe('hello bob');
    expect(own.message.deviceSentMessage?.destinationJid).toBe(bob.pn);

    // Receipts only after the client's own upsert, or they merge into it.
    await events.waitForUpsert((m) => m.key.id === id);
    await bob.receipt(id, 'delivery');
    expect(await events.waitForStatus(id, 3)).toBe(3);
    await bob.receipt(id, 'read');
    expect(await events.waitForStatus(id, 4)).toBe(4);
    expect(bob.texts()).toEqual(['hello bob']);
    expect(messaging.duplicates()).toEqual([]);
  });

  it('an error ack (463) turns into status ERROR with the code', async () => {
    const { messaging, sock } = await setup();
    const bob = messaging.addContact({ phone: '15557654321' });
    const events = recordMessageEvents(sock);
    messaging.failNextAck(463);
    const sent = await sock.sendMessage(bob.pn, { text: 'restricted' });
    const id = sent?.key.id ?? '';
    expect((await events.waitForError(id))?.[0]).toBe('463');
  });

  it('messages to numbers not on WhatsApp find no devices', async () => {
    const { messaging, sock } = await setup();
    expect(await sock.onWhatsApp('15550009999')).toEqual([]);
    messaging.addContact({ phone: '15557654321' });
    expect(await sock.onWhatsApp('15557654321')).toEqual([
      { jid: '15557654321@s.whatsapp.net', exists: true },
    ]);
  });
});
