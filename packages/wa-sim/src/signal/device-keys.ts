import { randomInt } from 'node:crypto';
import { generateXeddsaSigner } from '@wagw/xeddsa';
import { generateKeyPair } from 'libsignal/src/curve.js';

/** A Curve25519 key pair in libsignal's layout: 33-byte public key (0x05 prefix), 32-byte private key. */
export interface SignalKeyPair {
  pubKey: Buffer;
  privKey: Buffer;
}

interface SignedPreKey {
  keyId: number;
  keyPair: SignalKeyPair;
  /** XEdDSA signature over the 33-byte prefixed public key, made with the identity key. */
  signature: Buffer;
}

export interface OneTimePreKey {
  keyId: number;
  keyPair: SignalKeyPair;
}

/** Everything a simulated device needs to take part in Signal sessions. */
export interface DeviceKeys {
  registrationId: number;
  identity: SignalKeyPair;
  signedPreKey: SignedPreKey;
  preKeys: Map<number, OneTimePreKey>;
}

/** Options for {@link generateDeviceKeys}. */
export interface GenerateDeviceKeysOptions {
  /** How many one-time prekeys to mint. Default 5: a peer only needs one per companion that starts a session. */
  preKeyCount?: number;
}

export function generateKeyPairBuffers(): SignalKeyPair {
  const pair = generateKeyPair();
  return { pubKey: Buffer.from(pair.pubKey), privKey: Buffer.from(pair.privKey) };
}

export function generateDeviceKeys(options: GenerateDeviceKeysOptions = {}): DeviceKeys {
  // Signed through OpenSSL, not libsignal's JavaScript curve: every simulated contact signs one
  // pre-key, and at ~20 ms of CPU each that was most of a 1,000-recipient test's time.
  const signer = generateXeddsaSigner();
  const identity = { pubKey: toSignalKey(signer.publicKey), privKey: signer.privateKey };
  const signedKeyPair = generateKeyPairBuffers();
  const signedPreKey: SignedPreKey = {
    keyId: 1,
    keyPair: signedKeyPair,
    signature: signer.sign(signedKeyPair.pubKey),
  };
  const preKeys = new Map<number, OneTimePreKey>();
  const count = options.preKeyCount ?? 5;
  for (let keyId = 1; keyId <= count; keyId++) {
    preKeys.set(keyId, { keyId, keyPair: generateKeyPairBuffers() });
  }
  // WhatsApp registration ids are 14-bit; 0 is avoided because some clients treat it as "unset".
  return { registrationId: randomInt(1, 0x4000), identity, signedPreKey, preKeys };
}

/** Strip libsignal's 0x05 type byte: WhatsApp puts raw 32-byte keys on the wire. */
export function toWireKey(key: Uint8Array): Buffer {
  return Buffer.from(key.length === 33 ? key.subarray(1) : key);
}

/** Add libsignal's 0x05 type byte to a raw 32-byte wire key. */
export function toSignalKey(key: Uint8Array): Buffer {
  return key.length === 33 ? Buffer.from(key) : Buffer.concat([Buffer.from([5]), key]);
}
