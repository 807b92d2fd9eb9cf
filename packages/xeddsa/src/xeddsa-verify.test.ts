import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { installFastXeddsaVerify, verifyXeddsa } from './xeddsa-verify.js';

const require = createRequire(import.meta.url);
const curveJs = require(
  createRequire(require.resolve('libsignal/src/curve.js')).resolve('curve25519-js'),
) as {
  generateKeyPair(seed: Uint8Array): { private: Uint8Array; public: Uint8Array };
  sign(secretKey: Uint8Array, msg: Uint8Array, random?: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, msg: Uint8Array, signature: Uint8Array): boolean;
};
// The JavaScript original, whatever another test file in this process installed.
const original =
  (curveJs as { __wagwOriginalVerify?: typeof curveJs.verify }).__wagwOriginalVerify ?? curveJs.verify;

const flip = (bytes: Uint8Array, index: number, bit: number) => {
  const copy = Uint8Array.from(bytes);
  copy[index]! ^= 1 << bit;
  return copy;
};

describe('verifyXeddsa', () => {
  it('agrees with curve25519-js on valid and tampered signatures', () => {
    let valid = 0;
    for (let round = 0; round < 40; round++) {
      const pair = curveJs.generateKeyPair(randomBytes(32));
      const msg = randomBytes(1 + (round % 3) * 50);
      const signature = curveJs.sign(pair.private, msg, randomBytes(64));
      const cases: Array<[Uint8Array, Uint8Array, Uint8Array]> = [
        [pair.public, msg, signature],
        [pair.public, flip(msg, round % msg.length, round % 8), signature],
        [pair.public, msg, flip(signature, round % 64, round % 8)],
        // The sign bit of the key travels in the signature's last bit.
        [pair.public, msg, flip(signature, 63, 7)],
        [flip(pair.public, round % 31, round % 8), msg, signature],
        [curveJs.generateKeyPair(randomBytes(32)).public, msg, signature],
      ];
      for (const [key, message, sig] of cases) {
        const expected = original(key, message, sig);
        expect(verifyXeddsa(key, message, sig)).toBe(expected);
        if (expected) valid++;
      }
    }
    // Each round's untampered signature, and nothing tampered.
    expect(valid).toBe(40);
  });

  it('agrees on keys that are not points and on the top bit TweetNaCl ignores', () => {
    const pair = curveJs.generateKeyPair(randomBytes(32));
    const msg = randomBytes(32);
    const signature = curveJs.sign(pair.private, msg, randomBytes(64));
    const topBit = Uint8Array.from(pair.public);
    topBit[31]! |= 0x80;
    for (const key of [new Uint8Array(32), new Uint8Array(32).fill(0xff), topBit]) {
      expect(verifyXeddsa(key, msg, signature)).toBe(original(key, msg, signature));
    }
  });

  it('throws what curve25519-js throws for malformed arguments', () => {
    const key = new Uint8Array(32);
    const msg = new Uint8Array(4);
    expect(() => verifyXeddsa(key, msg, new Uint8Array(63))).toThrow('wrong signature length');
    expect(() => verifyXeddsa(new Uint8Array(33), msg, new Uint8Array(64))).toThrow(
      'wrong public key length',
    );
    expect(() => verifyXeddsa(key, [1, 2] as unknown as Uint8Array, new Uint8Array(64))).toThrow(TypeError);
  });
});

describe('installFastXeddsaVerify', () => {
  const before = curveJs.verify;
  afterAll(() => {
    curveJs.verify = before;
  });

  it('makes the signature checks of Baileys and libsignal use it', async () => {
    installFastXeddsaVerify();
    expect(curveJs.verify).toBe(verifyXeddsa);
    // Installing twice keeps the JavaScript original reachable.
    expect(installFastXeddsaVerify()).toBe(original);
    const { Curve } = await import('@whiskeysockets/baileys');
    const pair = Curve.generateKeyPair();
    const msg = randomBytes(48);
    const signature = Curve.sign(pair.private, msg);
    const libsignalCurve = require('libsignal/src/curve.js') as {
      verifySignature(pub: Buffer, msg: Buffer, sig: Uint8Array): boolean;
    };
    const signalKey = Buffer.concat([Buffer.from([5]), pair.public]);
    expect(libsignalCurve.verifySignature(signalKey, msg, signature)).toBe(true);
    expect(libsignalCurve.verifySignature(signalKey, flip(msg, 0, 0) as Buffer, signature)).toBe(false);
  });
});
