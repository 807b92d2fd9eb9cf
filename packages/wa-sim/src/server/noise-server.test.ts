import {
  Curve,
  decodeBinaryNode,
  encodeBinaryNode,
  makeNoiseHandler,
  NOISE_WA_HEADER,
  proto,
  WA_CERT_DETAILS,
} from '@whiskeysockets/baileys';
import { verifySignature } from 'libsignal/src/curve.js';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createServerIdentity } from './cert-chain.js';
import { encodeFrame, FrameReader } from './frame-reader.js';
import { NoiseServerHandshake } from './noise-server.js';

const logger = pino({ level: 'silent' });

function prefixed(key: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([5]), key]);
}

describe('NoiseServerHandshake against Baileys makeNoiseHandler', () => {
  it('completes the handshake and carries nodes both ways', async () => {
    const identity = createServerIdentity();
    WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(identity.rootKey.public);
    const clientEphemeral = Curve.generateKeyPair();
    const noiseKey = Curve.generateKeyPair();
    const client = makeNoiseHandler({ keyPair: clientEphemeral, NOISE_HEADER: NOISE_WA_HEADER, logger });
    const reader = new FrameReader();

    const hello = proto.HandshakeMessage.encode({
      clientHello: { ephemeral: clientEphemeral.public },
    }).finish();
    const first = reader.push(client.encodeFrame(hello));
    expect(first.intro?.header).toEqual(Buffer.from(NOISE_WA_HEADER));
    const helloFrame = first.frames[0]!;
    const received = proto.HandshakeMessage.decode(helloFrame);

    const server = new NoiseServerHandshake(identity.staticKey, identity.certChain);
    const serverHello = server.respondToHello(first.intro!.header, received.clientHello!.ephemeral!);
    const keyEnc = client.processHandshake(proto.HandshakeMessage.decode(serverHello), noiseKey);
    const payload = proto.ClientPayload.encode({ passive: true, username: 15550001111, device: 3 }).finish();
    const finish = proto.HandshakeMessage.encode({
      clientFinish: { static: keyEnc, payload: client.encrypt(payload) },
    }).finish();
    const finishFrame = reader.push(client.encodeFrame(finish)).frames[0]!;
    const { clientFinish } = proto.HandshakeMessage.decode(finishFrame);
    const result = server.finish(clientFinish!.static!, clientFinish!.payload!);
    await client.finishInit();

    expect(result.clientStatic).toEqual(Buffer.from(noiseKey.public));
    expect(String(result.clientPayload.username)).toBe('15550001111');
    expect(result.clientPayload.device).toBe(3);

    const upFrame = reader.push(client.encodeFrame(encodeBinaryNode({ tag: 'iq', attrs: { id: '1' } })))
      .frames[0]!;
    expect(await decodeBinaryNode(result.transport.decrypt(upFrame))).toMatchObject({
      tag: 'iq',
      attrs: { id: '1' },
    });

    const down = encodeFrame(
      result.transport.encrypt(encodeBinaryNode({ tag: 'success', attrs: { t: '1' } })),
    );
    const got: unknown[] = [];
    await client.decodeFrame(down, (frame) => got.push(frame));
    expect(got).toEqual([{ tag: 'success', attrs: { t: '1' } }]);
  });

  it('signs the certificate chain with the root key', () => {
    const identity = createServerIdentity();
    const chain = proto.CertChain.decode(identity.certChain);
    const intermediate = proto.CertChain.NoiseCertificate.Details.decode(chain.intermediate!.details!);
    const leaf = proto.CertChain.NoiseCertificate.Details.decode(chain.leaf!.details!);
    expect(intermediate.issuerSerial).toBe(0);
    expect(Buffer.from(leaf.key!)).toEqual(Buffer.from(identity.staticKey.public));
    const rootPub = prefixed(identity.rootKey.public);
    expect(verifySignature(rootPub, chain.intermediate!.details!, chain.intermediate!.signature!)).toBe(true);
    expect(verifySignature(prefixed(intermediate.key!), chain.leaf!.details!, chain.leaf!.signature!)).toBe(
      true,
    );
    expect(verifySignature(rootPub, chain.leaf!.details!, chain.leaf!.signature!)).toBe(false);
  });
});

describe('FrameReader', () => {
  it('parses the ED routing prefix and frames split across messages', () => {
    const routing = Buffer.from([1, 2, 3, 4, 5]);
    const intro = Buffer.concat([Buffer.from('ED'), Buffer.from([0, 1, 0, 0, 5]), routing, NOISE_WA_HEADER]);
    const bytes = Buffer.concat([intro, encodeFrame(Buffer.from('hello')), encodeFrame(Buffer.from('x'))]);
    const reader = new FrameReader();
    const a = reader.push(bytes.subarray(0, 9));
    const b = reader.push(bytes.subarray(9, 20));
    const c = reader.push(bytes.subarray(20));
    expect(a).toEqual({ frames: [] });
    expect(b.intro?.routingInfo).toEqual(routing);
    expect([...b.frames, ...c.frames].map(String)).toEqual(['hello', 'x']);
  });
});
