import type { BinaryNode } from '@whiskeysockets/baileys';
import { bytes, child, children } from '../router/iq-replies.js';
import type { Companion } from '../world/types.js';

/**
 * Stores an `encrypt`/set `<registration>` upload on the companion: registration id, identity,
 * signed prekey and the one-time prekeys. Returns how many one-time prekeys it carried.
 */
export function storePreKeyUpload(companion: Companion, iq: BinaryNode): number {
  const registration = bytes(child(iq, 'registration'));
  if (registration.length === 4) companion.registrationId = registration.readUInt32BE(0);
  const identity = bytes(child(iq, 'identity'));
  if (identity.length === 32) companion.identityKey = identity;
  const skey = child(iq, 'skey');
  if (skey) {
    companion.signedPreKey = {
      keyId: bytes(child(skey, 'id')).readUIntBE(0, 3),
      publicKey: bytes(child(skey, 'value')),
      signature: bytes(child(skey, 'signature')),
    };
  }
  const keys = children(child(iq, 'list'), 'key');
  for (const key of keys) {
    companion.preKeys.set(bytes(child(key, 'id')).readUIntBE(0, 3), bytes(child(key, 'value')));
  }
  return keys.length;
}

/** Applies an `encrypt`/set `<rotate>` (new signed prekey). */
export function storeSignedPreKeyRotation(companion: Companion, iq: BinaryNode): void {
  const skey = child(child(iq, 'rotate'), 'skey');
  if (!skey) return;
  companion.signedPreKey = {
    keyId: bytes(child(skey, 'id')).readUIntBE(0, 3),
    publicKey: bytes(child(skey, 'value')),
    signature: bytes(child(skey, 'signature')),
  };
}
