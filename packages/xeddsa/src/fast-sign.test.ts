import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { installFastXeddsaSign, rememberSigner } from './fast-sign.js';
import { generateXeddsaSigner } from './xeddsa-signer.js';

const require = createRequire(import.meta.url);
const curvePath = require.resolve('libsignal/src/curve.js');
type Sign = (secretKey: Uint8Array, msg: Uint8Array) => Uint8Array;
const curveJs = require(createRequire(curvePath).resolve('curve25519-js')) as {
  sign: Sign;
  verify(publicKey: Uint8Array, msg: Uint8Array, signature: Uint8Array): boolean;
  generateKeyPair(seed: Uint8Array): { private: Uint8Array; public: Uint8Array };
  __wagwOriginalSign?: Sign;
  __wagwOriginalVerify?: typeof curveJs.verify;
};
const libsignal = require(curvePath) as {
  calculateSignature(privateKey: Uint8Array, message: Uint8Array): Buffer;
};

describe('installFastXeddsaSign', () => {
  it('signs with a remembered key through OpenSSL, and with any other key as curve25519-js did', () => {
    installFastXeddsaSign();
    installFastXeddsaSign(); // idempotent: the original stays the JavaScript one
    const original = curveJs.__wagwOriginalSign!;
    const verify = curveJs.__wagwOriginalVerify ?? curveJs.verify;
    expect(curveJs.sign).not.toBe(original);

    const signer = generateXeddsaSigner();
    rememberSigner(signer);
    const message = randomBytes(80);
    const fast = libsignal.calculateSignature(signer.privateKey, message);
    expect(fast).toEqual(signer.sign(message));
    expect(verify(signer.publicKey, message, fast)).toBe(true);

    // A key nobody remembered: the JavaScript signature, byte for byte.
    const stranger = curveJs.generateKeyPair(randomBytes(32));
    expect(libsignal.calculateSignature(Buffer.from(stranger.private), message)).toEqual(
      Buffer.from(original(stranger.private, message)),
    );
  });
});
