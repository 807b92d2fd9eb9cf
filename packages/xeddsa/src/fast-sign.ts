import { createRequire } from 'node:module';
import type { XeddsaSigner } from './xeddsa-signer.js';

/**
 * Lets `curve25519-js`'s `sign` (what libsignal and Baileys' `Curve.sign` call) go through OpenSSL
 * for the keys a process minted with `generateXeddsaSigner` and remembered here. Any other private
 * key is signed by the JavaScript original, as before. For the simulator and test fixtures: Baileys
 * signs with the credentials' identity key inside `initAuthCreds` and `configureSuccessfulPairing`,
 * ~20 ms of CPU each in JavaScript, and the end-to-end tests link hundreds of sessions.
 */

type Sign = (secretKey: Uint8Array, msg: Uint8Array, random?: Uint8Array) => Uint8Array;

/** Signers remembered, oldest dropped first: a bound, not a cache size anyone tunes. */
const MAX_REMEMBERED = 10_000;
const remembered = new Map<string, XeddsaSigner>();

/** Signs with OpenSSL wherever `curve25519-js` is later asked to sign with `signer`'s private key. */
export function rememberSigner(signer: XeddsaSigner): void {
  const key = signer.privateKey.toString('hex');
  remembered.delete(key);
  remembered.set(key, signer);
  if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
}

/**
 * Points the `curve25519-js` that libsignal uses at the remembered signers (falling back to its own
 * `sign` for any other key). Idempotent.
 */
export function installFastXeddsaSign(): void {
  const fromLibsignal = createRequire(createRequire(import.meta.url).resolve('libsignal/src/curve.js'));
  const curveJs = fromLibsignal('curve25519-js') as { sign: Sign; __wagwOriginalSign?: Sign };
  if (curveJs.__wagwOriginalSign) return;
  const original = curveJs.sign;
  curveJs.__wagwOriginalSign = original;
  curveJs.sign = (secretKey, msg, random) => {
    const signer = remembered.get(Buffer.from(secretKey).toString('hex'));
    return signer ? new Uint8Array(signer.sign(msg)) : original(secretKey, msg, random);
  };
}
