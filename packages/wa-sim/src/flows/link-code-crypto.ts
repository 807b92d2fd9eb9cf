import { randomBytes } from 'node:crypto';
import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesEncryptCTR,
  derivePairingCodeKey,
  hkdf,
} from '@whiskeysockets/baileys';

/**
 * The primary's side of WhatsApp's pairing-code crypto, with Baileys' own primitives so both ends
 * compute the same bytes. An ephemeral public key travels wrapped as `salt(32) ‖ iv(16) ‖
 * AES-256-CTR(key = PBKDF2-SHA256(code, salt, 131 072 rounds), pub)`; CTR has no tag, so a wrong
 * code does not fail here: it yields a wrong key, and the key bundle below then fails to open.
 */
const SALT = 32;
const CTR_IV = 16;
const GCM_IV = 12;
const KEY = 32;

/** Recovers the ephemeral public key the other side wrapped with the code. */
export async function unwrapEphemeral(code: string, wrapped: Buffer): Promise<Buffer> {
  if (wrapped.length !== SALT + CTR_IV + KEY)
    throw new Error(`wrapped key has ${wrapped.length} bytes, not 80`);
  const key = await derivePairingCodeKey(code, wrapped.subarray(0, SALT));
  return aesDecryptCTR(wrapped.subarray(SALT + CTR_IV), key, wrapped.subarray(SALT, SALT + CTR_IV));
}

/** Wraps the primary's ephemeral public key with the code it was typed with. */
export async function wrapEphemeral(code: string, pub: Uint8Array): Promise<Buffer> {
  const salt = randomBytes(SALT);
  const iv = randomBytes(CTR_IV);
  const key = await derivePairingCodeKey(code, salt);
  return Buffer.concat([salt, iv, aesEncryptCTR(pub, key, iv)]);
}

/** What the companion's `link_code_pairing_wrapped_key_bundle` holds once opened. */
export interface KeyBundle {
  companionIdentityPub: Buffer;
  primaryIdentityPub: Buffer;
  random: Buffer;
}

/**
 * Opens `salt(32) ‖ iv(12) ‖ AES-256-GCM(HKDF(ephemeral shared key, salt,
 * "link_code_pairing_key_bundle_encryption_key"), companion identity ‖ primary identity ‖ random)`.
 * Throws when the GCM tag does not verify: the two sides did not share the code.
 */
export function openKeyBundle(sharedKey: Uint8Array, wrapped: Buffer): KeyBundle {
  const salt = wrapped.subarray(0, SALT);
  const iv = wrapped.subarray(SALT, SALT + GCM_IV);
  const key = hkdf(sharedKey, KEY, { salt, info: 'link_code_pairing_key_bundle_encryption_key' });
  const plain = aesDecryptGCM(wrapped.subarray(SALT + GCM_IV), key, iv, Buffer.alloc(0));
  if (plain.length !== 3 * KEY) throw new Error(`key bundle has ${plain.length} bytes, not 96`);
  return {
    companionIdentityPub: plain.subarray(0, KEY),
    primaryIdentityPub: plain.subarray(KEY, 2 * KEY),
    random: plain.subarray(2 * KEY),
  };
}

/** The ADV secret both sides derive: HKDF(ephemeral shared ‖ identity shared ‖ random, "adv_secret"). */
export function deriveAdvSecret(
  ephemeralShared: Uint8Array,
  identityShared: Uint8Array,
  random: Uint8Array,
): Buffer {
  const ikm = Buffer.concat([ephemeralShared, identityShared, random]);
  return Buffer.from(hkdf(ikm, KEY, { info: 'adv_secret' }));
}
