import { describe, expect, it } from 'vitest';
import { pairTestClient } from '../src/index.js';
import { messagingOf } from '../src/messaging/index.js';
import { recordMessageEvents } from './messaging-baileys-events.js';
import { useSimulator } from './sim-test-helpers.js';

const TOTAL = 1_000;
const CONTACTS = 4;

describe('volume with real Baileys rc14', () => {
  const env = useSimulator();

  it(`${TOTAL} messages from one account reach their contacts, each id exactly once`, async () => {
    const sim = await env.start();
    const paired = await pairTestClient(sim);
    env.track(paired.client);
    const { sock } = paired.client;
    const messaging = messagingOf(sim);
    const contacts = Array.from({ length: CONTACTS }, (_, i) =>
      messaging.addContact({ phone: `1555700000${i}`, name: `Peer ${i}` }),
    );

    const started = Date.now();
    const sentIds = new Set<string>();
    // One chain per contact: Baileys serialises encryption per recipient anyway, and the first send of
    // each chain fills its device cache before the chain's later sends need it.
    await Promise.all(
      contacts.map(async (contact, c) => {
        for (let i = c; i < TOTAL; i += CONTACTS) {
          const sent = await sock.sendMessage(contact.pn, { text: `message ${i}` });
          if (sent?.key.id) sentIds.add(sent.key.id);
        }
      }),
    );
    console.info(`sendMessage x${TOTAL} resolved after ${Date.now() - started} ms`);
    const last = [...sentIds].at(-1) ?? '';
    await messaging.waitForMessage((m) => m.id === last && !m.ownDevice, 30_000);
    await expect
      .poll(() => messaging.decrypted().filter((m) => !m.ownDevice).length, { timeout: 30_000 })
      .toBe(TOTAL);
    const elapsed = Date.now() - started;
    console.info(`${TOTAL} messages to ${CONTACTS} contacts decrypted in ${elapsed} ms`);

    expect(sentIds.size).toBe(TOTAL);
    const received = messaging.decrypted().filter((m) => !m.ownDevice);
    expect(new Set(received.map((m) => m.id))).toEqual(sentIds);
    for (const contact of contacts)
      expect(messaging.receivedPerRecipient().get(contact.phone)).toBe(TOTAL / CONTACTS);
    expect(messaging.duplicates()).toEqual([]);
    expect(messaging.log.failures).toEqual([]);
  }, 120_000);

  it(`${TOTAL} inbound messages from ${CONTACTS} contacts reach messages.upsert, each id once`, async () => {
    const sim = await env.start();
    const paired = await pairTestClient(sim);
    env.track(paired.client);
    const events = recordMessageEvents(paired.client.sock);
    const messaging = messagingOf(sim);
    const phone = paired.companion.account.phone;
    const contacts = Array.from({ length: CONTACTS }, (_, i) =>
      messaging.addContact({ phone: `1555800000${i}` }),
    );

    const started = Date.now();
    const ids: string[] = [];
    await Promise.all(
      contacts.map(async (contact, c) => {
        for (let i = c; i < TOTAL; i += CONTACTS) {
          ids.push((await contact.sendText(phone, `inbound ${i}`, { addressing: c % 2 ? 'lid' : 'pn' })).id);
        }
      }),
    );
    await expect
      .poll(() => events.upserts.filter((u) => u.type === 'notify').length, { timeout: 60_000 })
      .toBe(TOTAL);
    console.info(`${TOTAL} inbound messages upserted in ${Date.now() - started} ms`);
    const upserted = events.upserts.filter((u) => u.type === 'notify').map((u) => u.message.key.id);
    expect(new Set(upserted)).toEqual(new Set(ids));
    expect(events.upserts.every((u) => u.message.message?.conversation?.startsWith('inbound '))).toBe(true);
  }, 120_000);
});
