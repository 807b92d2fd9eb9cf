import { describe, expect, it } from 'vitest';
import { createTestClient, pairTestClient } from '../src/index.js';
import { messagingOf } from '../src/messaging/index.js';
import { recordMessageEvents } from './messaging-baileys-events.js';
import { useSimulator } from './sim-test-helpers.js';

describe('simulated contact → client with real Baileys rc14', () => {
  const env = useSimulator();

  async function setup() {
    const sim = await env.start();
    const paired = await pairTestClient(sim);
    env.track(paired.client);
    const sock = paired.client.sock;
    return {
      sim,
      messaging: messagingOf(sim),
      sock,
      account: paired.companion.account,
      events: recordMessageEvents(sock),
    };
  }

  it('PN-addressed: the first message (pkmsg) and a follow-up (msg) reach messages.upsert', async () => {
    const { messaging, account, events } = await setup();
    const carol = messaging.addContact({ phone: '15559990000', name: 'Carol' });

    const first = await carol.sendText(account.phone, 'hi there');
    expect(first.types).toEqual(['pkmsg']);
    const got = await events.waitForUpsert((m) => m.key.id === first.id);
    expect(got.message?.conversation).toBe('hi there');
    expect(got.key).toMatchObject({
      remoteJid: carol.pn,
      remoteJidAlt: carol.lid,
      fromMe: false,
      addressingMode: 'pn',
    });
    expect(got.pushName).toBe('Carol');
    // Without an `available` presence Baileys reports the delivery as `inactive`.
    const receipt = await messaging.waitForClientReceipt((r) => r.ids.includes(first.id));
    expect(receipt).toMatchObject({ to: carol.pn, type: 'inactive' });

    const second = await carol.sendText(account.phone, 'second');
    // Baileys has not written back, so libsignal still carries the prekey header on this session.
    const again = await events.waitForUpsert((m) => m.key.id === second.id);
    expect(again.message?.conversation).toBe('second');
    expect(second.types).toEqual(['pkmsg']);
  });

  it('a follow-up is a plain msg once the client replied on the session', async () => {
    const { messaging, account, events, sock } = await setup();
    const carol = messaging.addContact({ phone: '15559990000', name: 'Carol' });
    const first = await carol.sendText(account.phone, 'ping');
    await events.waitForUpsert((m) => m.key.id === first.id);
    const reply = await sock.sendMessage(carol.pn, { text: 'pong' });
    await messaging.waitForMessage((m) => m.id === reply?.key.id && m.recipientPhone === carol.phone);
    const second = await carol.sendText(account.phone, 'and again');
    expect(second.types).toEqual(['msg']);
    const got = await events.waitForUpsert((m) => m.key.id === second.id);
    expect(got.message?.conversation).toBe('and again');
  });

  it('LID-addressed: from=LID with sender_pn reaches messages.upsert with the PN as alt', async () => {
    const { messaging, account, events } = await setup();
    const dave = messaging.addContact({ phone: '15558887777', name: 'Dave' });

    const first = await dave.sendText(account.phone, 'via lid', { addressing: 'lid' });
    expect(first.types).toEqual(['pkmsg']);
    const got = await events.waitForUpsert((m) => m.key.id === first.id);
    expect(got.message?.conversation).toBe('via lid');
    expect(got.key).toMatchObject({ remoteJid: dave.lid, remoteJidAlt: dave.pn, addressingMode: 'lid' });
    expect(got.pushName).toBe('Dave');

    const second = await dave.sendText(account.phone, 'lid again', { addressing: 'lid' });
    const again = await events.waitForUpsert((m) => m.key.id === second.id);
    expect(again.message?.conversation).toBe('lid again');
    await messaging.waitForClientReceipt((r) => r.ids.includes(second.id) && r.to === dave.lid);
  });

  it('messages for an offline companion are delivered when it logs in again', async () => {
    const sim = await env.start();
    const paired = await pairTestClient(sim);
    env.track(paired.client);
    const messaging = messagingOf(sim);
    const erin = messaging.addContact({ phone: '15556665555' });
    const closed = sim.waitForEvent('close');
    await paired.client.end();
    await closed;
    const sent = await erin.sendText(paired.companion.account.phone, 'while you were away');
    expect(sent.queuedFor).toEqual([paired.companion.jid]);

    const again = env.track(createTestClient(sim, { auth: paired.client.auth }));
    const events = recordMessageEvents(again.sock);
    const got = await events.waitForUpsert((m) => m.key.id === sent.id);
    expect(got.message?.conversation).toBe('while you were away');
  });
});
