import { describe, expect, it } from 'vitest';
import { pairTestClient } from '../src/index.js';
import { messagingOf } from '../src/messaging/index.js';
import { recordMessageEvents } from './messaging-baileys-events.js';
import { useSimulator } from './sim-test-helpers.js';

describe('messaging policies and extras with real Baileys rc14', () => {
  const env = useSimulator();

  async function setup() {
    const sim = await env.start();
    const paired = await pairTestClient(sim);
    env.track(paired.client);
    const sock = paired.client.sock;
    return { sim, sock, messaging: messagingOf(sim), events: recordMessageEvents(sock) };
  }

  it('automatic read receipts take every message to status READ', async () => {
    const { sock, messaging, events } = await setup();
    messaging.autoReceipts = 'read';
    const bob = messaging.addContact({ phone: '15557654321' });
    const sent = await sock.sendMessage(bob.pn, { text: 'auto' });
    expect(await events.waitForStatus(sent?.key.id ?? '', 4)).toBe(4);
  });

  it('one receipt can carry several ids in a <list>', async () => {
    const { sock, messaging, events } = await setup();
    const bob = messaging.addContact({ phone: '15557654321' });
    const ids: string[] = [];
    for (const text of ['a', 'b', 'c']) ids.push((await sock.sendMessage(bob.pn, { text }))?.key.id ?? '');
    await messaging.waitForMessage((m) => m.id === ids[2] && !m.ownDevice);
    await Promise.all(ids.map((id) => events.waitForUpsert((m) => m.key.id === id)));
    expect(await bob.receipt(ids, 'read')).toBe(1);
    for (const id of ids) expect(await events.waitForStatus(id, 4)).toBe(4);
    // Baileys acknowledges each receipt it processed.
    await expect.poll(() => messaging.log.receiptAcks).toBeGreaterThanOrEqual(1);
  });

  it('dropped acks leave the message pending; 479 errors surface as status ERROR', async () => {
    const { sock, messaging, events } = await setup();
    const bob = messaging.addContact({ phone: '15557654321' });
    messaging.acks.drop(1);
    messaging.failAcks(1, 479);
    const dropped = await sock.sendMessage(bob.pn, { text: 'no ack' });
    const failed = await sock.sendMessage(bob.pn, { text: 'smax' });
    expect((await events.waitForError(failed?.key.id ?? ''))?.[0]).toBe('479');
    await events.waitForUpsert((m) => m.key.id === dropped?.key.id);
    expect(events.updates.filter((u) => u.key.id === dropped?.key.id)).toEqual([]);
  });

  it('serves profile pictures from a loopback HTTP server', async () => {
    const { sock, messaging } = await setup();
    const bob = messaging.addContact({ phone: '15557654321' });
    const url = await sock.profilePictureUrl(bob.pn);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pp\//);
    const response = await fetch(url ?? '');
    expect(response.headers.get('content-type')).toBe('image/png');
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    await expect(sock.profilePictureUrl('15550009999@s.whatsapp.net')).rejects.toThrow();
  });
});
