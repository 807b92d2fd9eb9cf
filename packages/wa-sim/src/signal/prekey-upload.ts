import {
  type BinaryNode,
  getBinaryNodeChild,
  getBinaryNodeChildBuffer,
  getBinaryNodeChildren,
} from '@whiskeysockets/baileys';
import type { WireBundle } from './wire-bundle.js';

/** The keys a companion published with `encrypt/set/registration`, as the server keeps them. */
export interface UploadedKeys {
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  /** One-time prekeys not yet handed out, in upload order. */
  preKeys: Array<{ keyId: number; publicKey: Buffer }>;
}

/** Parse the children of Baileys' prekey upload IQ (`<registration> <type> <identity> <list> <skey>`). */
export function parsePreKeyUpload(iq: BinaryNode): UploadedKeys {
  const registration = getBinaryNodeChildBuffer(iq, 'registration');
  const identity = getBinaryNodeChildBuffer(iq, 'identity');
  const skey = getBinaryNodeChild(iq, 'skey');
  if (!registration || !identity || !skey) {
    throw new Error('prekey upload lacks registration, identity or skey');
  }
  const preKeys = getBinaryNodeChildren(getBinaryNodeChild(iq, 'list'), 'key').map((key) => ({
    keyId: readUint(getBinaryNodeChildBuffer(key, 'id')),
    publicKey: Buffer.from(requireBuffer(getBinaryNodeChildBuffer(key, 'value'), 'key value')),
  }));
  return {
    registrationId: readUint(registration),
    identityKey: Buffer.from(identity),
    signedPreKey: {
      keyId: readUint(getBinaryNodeChildBuffer(skey, 'id')),
      publicKey: Buffer.from(requireBuffer(getBinaryNodeChildBuffer(skey, 'value'), 'skey value')),
      signature: Buffer.from(requireBuffer(getBinaryNodeChildBuffer(skey, 'signature'), 'skey signature')),
    },
    preKeys,
  };
}

/** Server-side prekey hand-out: each one-time prekey is given to exactly one requester, then deleted. */
export function claimUploadedBundle(keys: UploadedKeys): WireBundle {
  const preKey = keys.preKeys.shift();
  const { registrationId, identityKey, signedPreKey } = keys;
  return { registrationId, identityKey, signedPreKey, ...(preKey ? { preKey } : {}) };
}

function readUint(bytes: Uint8Array | undefined): number {
  const buf = Buffer.from(requireBuffer(bytes, 'integer'));
  return buf.readUIntBE(0, buf.length);
}

function requireBuffer(bytes: Uint8Array | undefined, what: string): Uint8Array {
  if (!bytes?.length) {
    throw new Error(`prekey upload: missing ${what}`);
  }
  return bytes;
}
