import type { BinaryNode } from '@whiskeysockets/baileys';
import { bytes, child, children } from '../router/iq-replies.js';
import type { Companion, OneTimePreKey, SignedPreKey } from '../world/world-types.js';

/**
 * The keys in an `encrypt`/set `<registration>` upload (`<registration> <type> <identity> <list>
 * <skey>`). Fields the IQ lacks or carries malformed are absent: the server keeps what it had.
 */
export interface PreKeyUpload {
  registrationId?: number;
  /** 32-byte identity public key. */
  identityKey?: Buffer;
  signedPreKey?: SignedPreKey;
  /** One-time prekeys, in upload order. */
  preKeys: OneTimePreKey[];
}

/** Parses a prekey upload IQ; the one parser for it (the world and unit tests both use it). */
function parsePreKeyUpload(iq: BinaryNode): PreKeyUpload {
  const upload: PreKeyUpload = {
    preKeys: children(child(iq, 'list'), 'key').map((key) => ({
      id: bytes(child(key, 'id')).readUIntBE(0, 3),
      publicKey: bytes(child(key, 'value')),
    })),
  };
  const registration = bytes(child(iq, 'registration'));
  if (registration.length === 4) upload.registrationId = registration.readUInt32BE(0);
  const identity = bytes(child(iq, 'identity'));
  if (identity.length === 32) upload.identityKey = identity;
  const skey = child(iq, 'skey');
  if (skey) upload.signedPreKey = parseSignedPreKey(skey);
  return upload;
}

/**
 * Stores an `encrypt`/set `<registration>` upload on the companion: registration id, identity,
 * signed prekey and the one-time prekeys. Returns how many one-time prekeys it carried.
 */
export function storePreKeyUpload(companion: Companion, iq: BinaryNode): number {
  const upload = parsePreKeyUpload(iq);
  if (upload.registrationId !== undefined) companion.registrationId = upload.registrationId;
  if (upload.identityKey) companion.identityKey = upload.identityKey;
  if (upload.signedPreKey) companion.signedPreKey = upload.signedPreKey;
  for (const key of upload.preKeys) companion.preKeys.set(key.id, key.publicKey);
  return upload.preKeys.length;
}

/** Applies an `encrypt`/set `<rotate>` (new signed prekey). */
export function storeSignedPreKeyRotation(companion: Companion, iq: BinaryNode): void {
  const skey = child(child(iq, 'rotate'), 'skey');
  if (skey) companion.signedPreKey = parseSignedPreKey(skey);
}

function parseSignedPreKey(skey: BinaryNode): SignedPreKey {
  return {
    keyId: bytes(child(skey, 'id')).readUIntBE(0, 3),
    publicKey: bytes(child(skey, 'value')),
    signature: bytes(child(skey, 'signature')),
  };
}
