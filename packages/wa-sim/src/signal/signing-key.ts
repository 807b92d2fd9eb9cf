import { generateXeddsaSigner, installFastXeddsaSign, rememberSigner } from '@wagw/xeddsa';
import { type AuthenticationCreds, Curve, initAuthCreds, type KeyPair } from '@whiskeysockets/baileys';

/** A Baileys key pair that can also sign through OpenSSL (see @wagw/xeddsa's generateXeddsaSigner). */
export interface SigningKeyPair extends KeyPair {
  sign(message: Uint8Array): Buffer;
}

/**
 * A new key pair for a key the simulator mints itself (account, identity, certificate). Remembered
 * too, so Baileys' `Curve.sign` with its private key also signs through OpenSSL once
 * `installFastXeddsaSign` is in place (the simulator installs it).
 */
export function generateSigningKeyPair(): SigningKeyPair {
  const signer = generateXeddsaSigner();
  rememberSigner(signer);
  return { public: signer.publicKey, private: signer.privateKey, sign: signer.sign };
}

/**
 * XEdDSA signature of `message` with `key`: through OpenSSL (~0.1 ms) when the simulator minted the
 * key, through libsignal's JavaScript curve (~20 ms) for a bare private key given from outside.
 */
export function signWith(key: KeyPair | SigningKeyPair, message: Uint8Array): Uint8Array {
  return 'sign' in key ? key.sign(message) : Curve.sign(key.private, message);
}

/**
 * Baileys' `initAuthCreds()` for test clients, with its key pairs minted as signing keys: Baileys
 * signs with the identity key here (the signed pre-key) and again when the client is linked (the
 * device signature), ~20 ms of CPU each in JavaScript, and the end-to-end tests link hundreds of
 * sessions. The credentials are Baileys' own in every other respect.
 */
export function initSigningAuthCreds(): AuthenticationCreds {
  installFastXeddsaSign();
  const generate = Curve.generateKeyPair;
  // initAuthCreds is synchronous: nothing else runs while the generator is swapped.
  Curve.generateKeyPair = () => {
    const { public: publicKey, private: privateKey } = generateSigningKeyPair();
    return { public: publicKey, private: privateKey };
  };
  try {
    return initAuthCreds();
  } finally {
    Curve.generateKeyPair = generate;
  }
}
