import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyPair } from '@whiskeysockets/baileys';

/** DER header of a PKCS#8 X25519 private key; the 32 raw bytes follow it. */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** Rebuilds a root key pair from its base64 private key, so a restarted CLI keeps the same root. */
export function rootKeyFromPrivate(base64: string): KeyPair {
  const privateKey = Buffer.from(base64, 'base64');
  if (privateKey.length !== 32) throw new Error('root private key must be 32 bytes (base64)');
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_X25519_PREFIX, privateKey]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return { private: privateKey, public: Buffer.from(spki.subarray(spki.length - 32)) };
}
