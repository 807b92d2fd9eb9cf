import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import { downloadContentFromMessage, toBuffer } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pairTestClient } from '../src/index.js';
import { cdnFetch } from './media-https.js';
import { recordMessageEvents } from './messaging-baileys-events.js';
import { useSimulator } from './sim-test-helpers.js';

const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('media between a paired Baileys client and simulated peers', () => {
  const env = useSimulator();
  afterEach(() => vi.unstubAllGlobals());

  /**
   * A client whose uploads go to the CDN's origin first (Baileys' `customUploadHosts`) over an agent that
   * trusts the simulator's CA; downloads go through {@link cdnFetch}. The gateway's workers will reach the
   * CDN through an origin override instead; this is the in-process equivalent.
   */
  async function setup() {
    const sim = await env.start();
    const paired = await pairTestClient(sim, {
      config: {
        // Baileys' type requires maxContentLengthBytes; its upload code never reads it.
        customUploadHosts: [{ hostname: sim.media.origin, maxContentLengthBytes: 0 }],
        fetchAgent: new Agent({ ca: sim.media.caPem }),
      },
    });
    env.track(paired.client);
    vi.stubGlobal('fetch', cdnFetch(sim.media));
    return { sim, sock: paired.client.sock, account: paired.companion.account };
  }

  it('image, voice note and document sent with sendMessage arrive verified at the contact', async () => {
    const { sim, sock } = await setup();
    const bob = sim.messaging.addContact({ phone: '15557654321', name: 'Bob' });
    const image = randomBytes(20_000);
    const voice = randomBytes(3_000);
    const pdf = randomBytes(9_999);
    const sends = [
      {
        content: { image, caption: 'look', mimetype: 'image/jpeg' },
        bytes: image,
        type: 'image',
        ptt: false,
      },
      {
        content: { audio: voice, ptt: true, mimetype: 'audio/ogg; codecs=opus' },
        bytes: voice,
        type: 'audio',
        ptt: true,
      },
      {
        content: { document: pdf, fileName: 'a.pdf', mimetype: 'application/pdf' },
        bytes: pdf,
        type: 'document',
        ptt: false,
      },
    ] as const;
    for (const send of sends) {
      const sent = await sock.sendMessage(bob.pn, send.content);
      const got = await sim.messaging.waitForMessage(
        (m) => m.id === sent?.key.id && m.recipientPhone === bob.phone,
      );
      expect(got.media).toMatchObject({
        type: send.type,
        mimetype: send.content.mimetype,
        ptt: send.ptt,
        length: send.bytes.length,
        sha256: sha256Hex(send.bytes),
        verified: true,
      });
      // The own phone's copy points at the same blob and verifies too.
      const own = await sim.messaging.waitForMessage((m) => m.id === sent?.key.id && m.ownDevice);
      expect(own.media?.verified).toBe(true);
    }
    expect((await sim.messaging.waitForMessage((m) => m.media?.type === 'image')).media?.caption).toBe(
      'look',
    );
    expect(sim.counters.media.uploads).toBe(3);
  });

  it('a contact sends a photo and a voice note; Baileys downloads and decrypts them', async () => {
    const { sim, sock, account } = await setup();
    const events = recordMessageEvents(sock);
    const carol = sim.messaging.addContact({ phone: '15559990000', name: 'Carol' });
    const photo = randomBytes(12_345);
    const voice = randomBytes(4_000);

    const sentPhoto = await carol.sendMedia(account.phone, {
      data: photo,
      type: 'image',
      mimetype: 'image/jpeg',
      caption: 'from carol',
    });
    const gotPhoto = await events.waitForUpsert((m) => m.key.id === sentPhoto.id);
    const imageMessage = gotPhoto.message?.imageMessage;
    expect(imageMessage).toMatchObject({ mimetype: 'image/jpeg', caption: 'from carol' });
    if (!imageMessage) throw new Error('no imageMessage');
    expect((await toBuffer(await downloadContentFromMessage(imageMessage, 'image'))).equals(photo)).toBe(
      true,
    );

    const sentVoice = await carol.sendMedia(account.phone, {
      data: voice,
      type: 'audio',
      mimetype: 'audio/ogg; codecs=opus',
      ptt: true,
    });
    const audioMessage = (await events.waitForUpsert((m) => m.key.id === sentVoice.id)).message?.audioMessage;
    expect(audioMessage?.ptt).toBe(true);
    if (!audioMessage) throw new Error('no audioMessage');
    expect((await toBuffer(await downloadContentFromMessage(audioMessage, 'audio'))).equals(voice)).toBe(
      true,
    );
    expect(sim.counters.media).toMatchObject({ uploads: 2, downloads: 2 });
    // The stanza is marked as media, as WhatsApp marks it.
    const [stanza] = sim.transcript.find((e) => e.node.tag === 'message' && e.node.attrs.id === sentVoice.id);
    expect(stanza?.node.attrs.type).toBe('media');
  });

  it('refuses captions and file names the kind does not have', async () => {
    const { sim, account } = await setup();
    const carol = sim.messaging.addContact({ phone: '15559990000' });
    const data = randomBytes(10);
    await expect(
      carol.sendMedia(account.phone, { data, type: 'audio', mimetype: 'audio/mpeg', caption: 'x' }),
    ).rejects.toThrow('a audio has no caption');
    await expect(
      carol.sendMedia(account.phone, { data, type: 'image', mimetype: 'image/png', ptt: true }),
    ).rejects.toThrow('only audio can be a voice note');
  });
});
