import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';

/**
 * A Curve25519 key pair whose XEdDSA signatures OpenSSL makes, for keys this project mints itself
 * (the simulator's devices and certificate chain).
 *
 * libsignal signs with `curve25519-js`, pure JavaScript: ~12-25 ms of CPU per signature on this
 * project's machines, and the simulator signs a pre-key for every simulated contact (a test with
 * 1,000 recipients spent ~24 s of CPU on it). OpenSSL cannot sign with a bare Curve25519 scalar,
 * but a key minted as an Ed25519 seed has one: the scalar OpenSSL derives from the seed (SHA-512,
 * clamped) is an ordinary Curve25519 private key, X25519 of it is the matching Montgomery public
 * key, and an Ed25519 signature under it is an XEdDSA signature once the Edwards key's sign bit is
 * carried in the signature's last bit, where XEdDSA verifiers (curve25519-js, libsignal,
 * `verifyXeddsa`) read it. Checked against curve25519-js in xeddsa-signer.test.ts.
 *
 * Only for new keys: an existing Curve25519 private key (a paired account's identity) has no seed.
 */
export interface XeddsaSigner {
  /** 32-byte Curve25519 private key (clamped), as libsignal and Baileys store it. */
  privateKey: Buffer;
  /** 32-byte Montgomery public key, without libsignal's 0x05 type byte. */
  publicKey: Buffer;
  /** XEdDSA signature of `message` (64 bytes), as `curve25519-js`'s `sign(privateKey, message)` verifies. */
  sign(message: Uint8Array): Buffer;
}

// PKCS#8 wrappers of a raw 32-byte key: these prefixes, then the key bytes.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

function privateKeyObject(prefix: Buffer, raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'pkcs8' });
}

function rawPublicKey(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
}

/** A new signer; `seed` (32 bytes) only to make one reproducible in tests. */
export function generateXeddsaSigner(seed: Uint8Array = randomBytes(32)): XeddsaSigner {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  const edKey = privateKeyObject(ED25519_PKCS8_PREFIX, seed);
  const signBit = rawPublicKey(edKey)[31]! & 0x80;
  // The scalar Ed25519 derives from the seed (RFC 8032, 5.1.5), clamped as Curve25519 keys are.
  const scalar = createHash('sha512').update(seed).digest().subarray(0, 32);
  scalar[0]! &= 248;
  scalar[31]! &= 127;
  scalar[31]! |= 64;
  const privateKey = Buffer.from(scalar);
  return {
    privateKey,
    publicKey: rawPublicKey(privateKeyObject(X25519_PKCS8_PREFIX, privateKey)),
    sign(message) {
      const signature = sign(null, message, edKey);
      // s < 2^253, so the top bit of its last byte is free: XEdDSA keeps the key's sign bit there.
      signature[63]! |= signBit;
      return signature;
    },
  };
}
