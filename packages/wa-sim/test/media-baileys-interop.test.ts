import { createHash, randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { Agent } from 'node:https';
import {
  downloadContentFromMessage,
  encryptedStream,
  getWAUploadToServer,
  type proto,
  toBuffer,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pairTestClient, startSimulator, type TestClient, type WaSimulator } from '../src/index.js';
import { cdnFetch } from './media-https.js';

const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe("the CDN and peers against Baileys' own media code", () => {
  let sim: WaSimulator;
  let client: TestClient;

  beforeEach(async () => {
    sim = await startSimulator();
    ({ client } = await pairTestClient(sim));
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    await client.end();
    await sim.close();
  });

  /** Baileys' upload function, pointed at the CDN's origin and trusting its CA, with the session's media_conn. */
  function baileysUpload() {
    return getWAUploadToServer(
      {
        customUploadHosts: [{ hostname: sim.media.origin }],
        fetchAgent: new Agent({ ca: sim.media.caPem }),
        logger: pino({ level: 'silent' }),
        options: {},
      } as unknown as Parameters<typeof getWAUploadToServer>[0],
      (force) => client.sock.refreshMediaConn(force),
    );
  }

  it('a blob encrypted and uploaded by Baileys verifies at the peer; tampered claims do not', async () => {
    const plaintext = randomBytes(70_000);
    const enc = await encryptedStream(plaintext, 'video');
    // encryptedStream leaves its temporary file to the caller, as prepareWAMessageMedia deletes it.
    const { mediaUrl, directPath } = await baileysUpload()(enc.encFilePath, {
      mediaType: 'video',
      fileEncSha256B64: enc.fileEncSha256.toString('base64'),
      timeoutMs: 10_000,
    }).finally(() => unlink(enc.encFilePath));
    expect(mediaUrl).toMatch(/^https:\/\/mmg\.whatsapp\.net\/v\/t62\.7161-24\//);
    const videoMessage: proto.Message.IVideoMessage = {
      url: mediaUrl,
      directPath,
      mediaKey: enc.mediaKey,
      fileEncSha256: enc.fileEncSha256,
      fileSha256: enc.fileSha256,
      fileLength: enc.fileLength,
      mimetype: 'video/mp4',
    };
    const got = await sim.messaging.media.inspect({ videoMessage });
    expect(got).toMatchObject({
      type: 'video',
      mimetype: 'video/mp4',
      verified: true,
      length: 70_000,
      ptt: false,
    });
    expect(got?.sha256).toBe(sha256Hex(plaintext));

    const wrongKey = await sim.messaging.media.inspect({
      videoMessage: { ...videoMessage, mediaKey: randomBytes(32) },
    });
    expect([wrongKey?.verified, wrongKey?.reason]).toEqual([false, 'MAC does not match']);
    const wrongHash = await sim.messaging.media.inspect({
      videoMessage: { ...videoMessage, fileSha256: randomBytes(32) },
    });
    expect([wrongHash?.verified, wrongHash?.reason]).toEqual([
      false,
      'fileSha256 does not match the plaintext',
    ]);
    expect(wrongHash?.sha256).toBe(sha256Hex(plaintext));
    const wrongLength = await sim.messaging.media.inspect({
      videoMessage: { ...videoMessage, fileLength: 1 },
    });
    expect(wrongLength?.reason).toBe('fileLength 1 but the plaintext has 70000 bytes');
    const missing = await sim.messaging.media.inspect({
      videoMessage: { ...videoMessage, directPath: '/v/t62.7161-24/1_2_3_n.enc', url: null },
    });
    expect([missing?.verified, missing?.reason]).toEqual([false, 'no blob at /v/t62.7161-24/1_2_3_n.enc']);
  });

  it('a blob a peer encrypted decrypts with Baileys’ downloadContentFromMessage, whole and by byte range', async () => {
    vi.stubGlobal('fetch', cdnFetch(sim.media));
    const plaintext = randomBytes(5_000);
    const message = await sim.messaging.media.prepare({
      data: plaintext,
      type: 'document',
      mimetype: 'application/pdf',
      fileName: 'invoice.pdf',
      caption: 'March',
    });
    const doc = message.documentMessage;
    expect(doc).toMatchObject({
      mimetype: 'application/pdf',
      fileName: 'invoice.pdf',
      caption: 'March',
      fileLength: 5_000,
    });
    if (!doc) throw new Error('no documentMessage');
    expect(Buffer.from(doc.fileSha256 ?? []).toString('hex')).toBe(sha256Hex(plaintext));

    const whole = await toBuffer(await downloadContentFromMessage(doc, 'document'));
    expect(whole.equals(plaintext)).toBe(true);
    // Baileys asks for whole AES blocks around the range (a 206) and trims them itself.
    const part = await toBuffer(
      await downloadContentFromMessage(doc, 'document', { startByte: 1_000, endByte: 2_000 }),
    );
    expect(part.equals(plaintext.subarray(1_000, 2_000))).toBe(true);
    expect(sim.counters.media.downloads).toBe(2);
  });
});
