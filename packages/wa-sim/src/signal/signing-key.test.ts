import { createRequire } from 'node:module';
import { Curve } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { initSigningAuthCreds } from './signing-key.js';

const require = createRequire(import.meta.url);
const curvePath = require.resolve('libsignal/src/curve.js');
const curveJs = require(createRequire(curvePath).resolve('curve25519-js')) as {
  verify(publicKey: Uint8Array, msg: Uint8Array, signature: Uint8Array): boolean;
  __wagwOriginalVerify?: (publicKey: Uint8Array, msg: Uint8Array, signature: Uint8Array) => boolean;
};

describe('initSigningAuthCreds', () => {
  it("makes Baileys' credentials whose signed pre-key curve25519-js verifies, and puts the generator back", () => {
    const generate = Curve.generateKeyPair;
    const creds = initSigningAuthCreds();
    expect(Curve.generateKeyPair).toBe(generate);
    const verify = curveJs.__wagwOriginalVerify ?? curveJs.verify;
    const signedPublic = Buffer.concat([Buffer.from([5]), creds.signedPreKey.keyPair.public]);
    expect(verify(creds.signedIdentityKey.public, signedPublic, creds.signedPreKey.signature)).toBe(true);
    // The identity signs later too (the device signature at linking): through OpenSSL, and valid.
    const message = Buffer.from('device identity');
    expect(
      verify(creds.signedIdentityKey.public, message, Curve.sign(creds.signedIdentityKey.private, message)),
    ).toBe(true);
    expect(creds.registered).toBe(false);
    expect(creds.noiseKey.private).toHaveLength(32);
  });
});
