import { toSignalKey } from './device-keys.js';

/**
 * A device's public Signal keys as they travel on the wire (raw 32-byte keys, no 0x05 prefix): what a
 * companion uploads in `encrypt/set/registration`, and what the server hands out in `encrypt/get/key`.
 */
export interface WireBundle {
  registrationId: number;
  identityKey: Uint8Array;
  signedPreKey: { keyId: number; publicKey: Uint8Array; signature: Uint8Array };
  /** One one-time prekey; absent when the device has none left (sessions still work without it). */
  preKey?: { keyId: number; publicKey: Uint8Array };
}

/** The shape libsignal's `SessionBuilder.initOutgoing` expects (0x05-prefixed keys). */
export interface SessionBundle {
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  preKey?: { keyId: number; publicKey: Buffer };
}

export function toSessionBundle(bundle: WireBundle): SessionBundle {
  const { registrationId, identityKey, signedPreKey, preKey } = bundle;
  return {
    registrationId,
    identityKey: toSignalKey(identityKey),
    signedPreKey: {
      keyId: signedPreKey.keyId,
      publicKey: toSignalKey(signedPreKey.publicKey),
      signature: Buffer.from(signedPreKey.signature),
    },
    ...(preKey ? { preKey: { keyId: preKey.keyId, publicKey: toSignalKey(preKey.publicKey) } } : {}),
  };
}
