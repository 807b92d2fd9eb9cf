import { createCipheriv, createDecipheriv } from 'node:crypto';

const TAG_LENGTH = 16;

/** 12-byte GCM nonce: 8 zero bytes, then the counter as uint32 big-endian (WhatsApp's layout). */
export function noiseIv(counter: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter >>> 0, 8);
  return iv;
}

export function aesGcmEncrypt(
  key: Uint8Array,
  iv: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function aesGcmDecrypt(
  key: Uint8Array,
  iv: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_LENGTH));
  return Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_LENGTH)),
    decipher.final(),
  ]);
}

/**
 * Post-handshake cipher of one connection, seen from the server: it decrypts with the
 * client→server key and encrypts with the server→client key, each direction with its own counter.
 */
export class NoiseTransport {
  private readCounter = 0;
  private writeCounter = 0;

  constructor(
    private readonly decryptKey: Uint8Array,
    private readonly encryptKey: Uint8Array,
  ) {}

  encrypt(plaintext: Uint8Array): Buffer {
    return aesGcmEncrypt(this.encryptKey, noiseIv(this.writeCounter++), Buffer.alloc(0), plaintext);
  }

  decrypt(ciphertext: Uint8Array): Buffer {
    return aesGcmDecrypt(this.decryptKey, noiseIv(this.readCounter++), Buffer.alloc(0), ciphertext);
  }
}
