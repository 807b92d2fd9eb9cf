import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { generateXeddsaSigner } from './xeddsa-signer.js';
import { verifyXeddsa } from './xeddsa-verify.js';

const require = createRequire(import.meta.url);
const curvePath = require.resolve('libsignal/src/curve.js');
const curveJs = require(createRequire(curvePath).resolve('curve25519-js')) as {
  generateKeyPair(seed: Uint8Array): { private: Uint8Array; public: Uint8Array };
  verify(publicKey: Uint8Array, msg: Uint8Array, signature: Uint8Array): boolean;
};
// The JavaScript original, whatever another test file in this process installed.
const verifyInJs =
  (curveJs as { __wagwOriginalVerify?: typeof curveJs.verify }).__wagwOriginalVerify ?? curveJs.verify;
const libsignalCurve = require(curvePath) as {
  calculateAgreement(publicKey: Uint8Array, privateKey: Uint8Array): Buffer;
  generateKeyPair(): { pubKey: Buffer; privKey: Buffer };
};
const prefixed = (key: Uint8Array) => Buffer.concat([Buffer.from([5]), key]);

describe('generateXeddsaSigner', () => {
  it('signs what curve25519-js and verifyXeddsa accept, under the key curve25519-js derives', () => {
    for (let round = 0; round < 40; round++) {
      const signer = generateXeddsaSigner();
      // The public key is the one curve25519-js computes from the private key.
      expect(Buffer.from(curveJs.generateKeyPair(signer.privateKey).public)).toEqual(signer.publicKey);
      const msg = randomBytes(1 + (round % 3) * 50);
      const signature = signer.sign(msg);
      expect(signature).toHaveLength(64);
      expect(verifyInJs(signer.publicKey, msg, signature)).toBe(true);
      expect(verifyXeddsa(signer.publicKey, msg, signature)).toBe(true);
      const tampered = Buffer.from(msg);
      tampered[0]! ^= 1;
      expect(verifyInJs(signer.publicKey, tampered, signature)).toBe(false);
      // Another key's signature of the same message does not pass under this key.
      expect(verifyInJs(signer.publicKey, msg, generateXeddsaSigner().sign(msg))).toBe(false);
    }
  });

  it('covers both sign bits of the Edwards key (half of all keys each)', () => {
    // Without the sign bit in the signature, half of these would fail to verify.
    const bits = new Set<number>();
    for (let i = 0; i < 64; i++) {
      const signature = generateXeddsaSigner().sign(Buffer.from('m'));
      bits.add(signature[63]! & 0x80);
    }
    expect(bits).toEqual(new Set([0, 0x80]));
  });

  it('agrees on Diffie-Hellman with libsignal keys, both ways', () => {
    const signer = generateXeddsaSigner();
    const other = libsignalCurve.generateKeyPair();
    expect(libsignalCurve.calculateAgreement(other.pubKey, signer.privateKey)).toEqual(
      libsignalCurve.calculateAgreement(prefixed(signer.publicKey), other.privKey),
    );
  });

  it('is reproducible from a seed and refuses a seed of the wrong size', () => {
    const seed = randomBytes(32);
    const a = generateXeddsaSigner(seed);
    const b = generateXeddsaSigner(seed);
    expect(a.privateKey).toEqual(b.privateKey);
    expect(a.publicKey).toEqual(b.publicKey);
    expect(() => generateXeddsaSigner(randomBytes(31))).toThrow(/32 bytes/);
  });
});
