import { Curve } from '@whiskeysockets/baileys';
import { expect, it } from 'vitest';
import { rootKeyFromPrivate } from './cli-root-key.js';

it('derives the same public key libsignal made for a private key', () => {
  const pair = Curve.generateKeyPair();
  const rebuilt = rootKeyFromPrivate(Buffer.from(pair.private).toString('base64'));
  expect(rebuilt.public).toEqual(Buffer.from(pair.public));
});
