import { createHash, hkdfSync } from 'node:crypto';
import { Curve, type KeyPair, proto } from '@whiskeysockets/baileys';
import { aesGcmDecrypt, aesGcmEncrypt, NoiseTransport, noiseIv } from './noise-transport.js';

/** Exactly 32 bytes, so WhatsApp uses it as the initial hash as-is instead of hashing it. */
const NOISE_PROTOCOL_NAME = Buffer.from('Noise_XX_25519_AESGCM_SHA256\0\0\0\0', 'utf8');

export interface HandshakeResult {
  /** The client's long-term noise public key (32 bytes): identifies a companion at login. */
  clientStatic: Buffer;
  clientPayload: proto.ClientPayload;
  transport: NoiseTransport;
}

/**
 * Server side of WhatsApp's Noise XX: symmetric state (h, ck, k) plus ONE nonce counter that
 * encryption and decryption share during the handshake; that shared counter is why the client's
 * static key arrives under nonce 1 (the server's cert payload used nonce 0).
 */
export class NoiseServerHandshake {
  private h: Buffer = NOISE_PROTOCOL_NAME;
  private ck: Buffer = NOISE_PROTOCOL_NAME;
  private k: Buffer = NOISE_PROTOCOL_NAME;
  private n = 0;
  private ephemeral: KeyPair | undefined;

  constructor(
    private readonly serverStatic: KeyPair,
    private readonly certChain: Uint8Array,
  ) {}

  /** Answers a clientHello; `header` is the 4-byte `WA 06 03` (never the `ED` routing prefix). */
  respondToHello(header: Uint8Array, clientEphemeral: Uint8Array): Uint8Array {
    this.mixHash(header);
    this.mixHash(clientEphemeral);
    const ephemeral = Curve.generateKeyPair();
    this.ephemeral = ephemeral;
    this.mixHash(ephemeral.public);
    this.mixKey(Curve.sharedKey(ephemeral.private, clientEphemeral));
    const encryptedStatic = this.encrypt(this.serverStatic.public);
    this.mixKey(Curve.sharedKey(this.serverStatic.private, clientEphemeral));
    const payload = this.encrypt(this.certChain);
    return proto.HandshakeMessage.encode({
      serverHello: { ephemeral: ephemeral.public, static: encryptedStatic, payload },
    }).finish();
  }

  /** Processes clientFinish; throws if any AEAD tag fails (wrong keys, tampering). */
  finish(encryptedStatic: Uint8Array, encryptedPayload: Uint8Array): HandshakeResult {
    if (!this.ephemeral) throw new Error('clientFinish before clientHello');
    const clientStatic = this.decrypt(encryptedStatic);
    this.mixKey(Curve.sharedKey(this.ephemeral.private, clientStatic));
    const clientPayload = proto.ClientPayload.decode(this.decrypt(encryptedPayload));
    const [clientToServer, serverToClient] = this.split(Buffer.alloc(0));
    return { clientStatic, clientPayload, transport: new NoiseTransport(clientToServer, serverToClient) };
  }

  private mixHash(data: Uint8Array): void {
    this.h = createHash('sha256').update(this.h).update(data).digest();
  }

  private split(ikm: Uint8Array): [Buffer, Buffer] {
    const out = Buffer.from(hkdfSync('sha256', ikm, this.ck, Buffer.alloc(0), 64));
    return [out.subarray(0, 32), out.subarray(32)];
  }

  private mixKey(ikm: Uint8Array): void {
    [this.ck, this.k] = this.split(ikm);
    this.n = 0;
  }

  private encrypt(plaintext: Uint8Array): Buffer {
    const ciphertext = aesGcmEncrypt(this.k, noiseIv(this.n++), this.h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  private decrypt(ciphertext: Uint8Array): Buffer {
    const plaintext = aesGcmDecrypt(this.k, noiseIv(this.n++), this.h, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }
}
