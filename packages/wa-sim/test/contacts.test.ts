import { USyncQuery, USyncUser } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { pairTestClient } from '../src/index.js';
import { useSimulator } from './sim-test-helpers.js';

describe('contact lookups (usync contact + lid, profile pictures) with real Baileys rc14', () => {
  const env = useSimulator();

  async function setup() {
    const sim = await env.start();
    const paired = await pairTestClient(sim, { scan: { name: 'Alice' } });
    env.track(paired.client);
    const bob = sim.messaging.addContact({ phone: '15557650001', lid: '900000000000001', name: 'Bob' });
    const carol = sim.messaging.addContact({ phone: '15557650002', lid: '900000000000002', name: 'Carol' });
    // Other accounts of the world are on WhatsApp too.
    const dave = sim.world.createAccount({ phone: '15557650003', lidUser: '900000000000003' });
    return { sim, sock: paired.client.sock, bob, carol, dave };
  }

  it('onWhatsApp answers which numbers exist, and the counters say how many were asked', async () => {
    const { sim, sock, bob, carol, dave } = await setup();
    const before = { ...sim.counters.usync };
    const asked = [bob.phone, `+${carol.phone}`, dave.pnJid, '15557659998', '15557659999'];
    const found = await sock.onWhatsApp(...asked);

    // Baileys drops numbers the server answers `<contact type="out"/>` for.
    expect(found?.map((r) => r.jid).sort()).toEqual([bob.pn, carol.pn, dave.pnJid].sort());
    expect(found?.every((r) => r.exists)).toBe(true);
    expect(sim.counters.usync.contactQueries - before.contactQueries).toBe(1);
    expect(sim.counters.usync.contactNumbers - before.contactNumbers).toBe(asked.length);
    expect(sim.counters.usync.queries - before.queries).toBe(1);
  });

  it('a contact query with the lid protocol gets each existing number its LID', async () => {
    const { sim, sock, bob, dave } = await setup();
    const query = new USyncQuery().withContactProtocol().withLIDProtocol();
    for (const phone of [bob.phone, dave.phone, '15557659999'])
      query.withUser(new USyncUser().withPhone(`+${phone}`));
    const result = await sock.executeUSyncQuery(query);
    const byJid = new Map(result?.list.map((user) => [user.id, user]));

    expect(byJid.get(bob.pn)).toMatchObject({ contact: true, lid: bob.lid });
    expect(byJid.get(dave.pnJid)).toMatchObject({ contact: true, lid: dave.lidJid });
    expect(byJid.get('15557659999@s.whatsapp.net')).toMatchObject({ contact: false });
    expect(byJid.get('15557659999@s.whatsapp.net')?.lid).toBeFalsy();
    expect(sim.counters.usync.contactNumbers).toBeGreaterThanOrEqual(3);
  });

  it('profile pictures: a URL that serves an image for users on WhatsApp, 404 for others', async () => {
    const { sim, sock, bob, dave } = await setup();
    for (const [jid, type] of [
      [bob.pn, 'preview'],
      [dave.pnJid, 'image'],
    ] as const) {
      const url = await sock.profilePictureUrl(jid, type);
      const response = await fetch(url ?? '');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      // The PNG signature: a client decoding it gets a real image.
      expect(
        Buffer.from(await response.arrayBuffer())
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
    }
    expect(sim.messaging.pictures.downloads).toBe(2);
    await expect(sock.profilePictureUrl('15557659999@s.whatsapp.net')).rejects.toThrow(/item-not-found|404/);
  });
});
