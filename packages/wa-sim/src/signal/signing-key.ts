import { generateXeddsaSigner } from '@wagw/xeddsa';
import { Curve, type KeyPair } from '@whiskeysockets/baileys';

/** A Baileys key pair that can also sign through OpenSSL (see @wagw/xeddsa's generateXeddsaSigner). */
export interface SigningKeyPair extends KeyPair {
  sign(message: Uint8Array): Buffer;
}

/** A new key pair for a key the simulator mints itself (account, identity, certificate). */
export function generateSigningKeyPair(): SigningKeyPair {
  const signer = generateXeddsaSigner();
  return { public: signer.publicKey, private: signer.privateKey, sign: signer.sign };
}

/**
 * XEdDSA signature of `message` with `key`: through OpenSSL (~0.1 ms) when the simulator minted the
 * key, through libsignal's JavaScript curve (~20 ms) for a bare private key given from outside.
 */
export function signWith(key: KeyPair | SigningKeyPair, message: Uint8Array): Uint8Array {
  return 'sign' in key ? key.sign(message) : Curve.sign(key.private, message);
}
