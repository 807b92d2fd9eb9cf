import { createHmac } from 'node:crypto';
import { type KeyPair, proto } from '@whiskeysockets/baileys';
import { verifySignature } from 'libsignal/src/curve.js';
import { signWith } from '../signal/signing-key.js';

const ACCOUNT_SIG_PREFIX = Buffer.from([6, 0]);
const DEVICE_SIG_PREFIX = Buffer.from([6, 1]);

export interface AdvInput {
  accountKey: KeyPair;
  rawId: number;
  keyIndex: number;
  /** Companion identity public key (32 bytes, from the QR). */
  identityPub: Buffer;
  /** HMAC key from the QR. */
  advSecret: Buffer;
}

/**
 * What the phone puts in `<device-identity>` of `<pair-success>`: the account-signed device
 * identity, wrapped with an HMAC keyed by the QR's ADV secret (E2EE account, so no prefix).
 */
export function buildDeviceIdentityEnvelope(input: AdvInput): Uint8Array {
  const details = proto.ADVDeviceIdentity.encode({
    rawId: input.rawId,
    timestamp: Math.floor(Date.now() / 1000),
    keyIndex: input.keyIndex,
    accountType: proto.ADVEncryptionType.E2EE,
    deviceType: proto.ADVEncryptionType.E2EE,
  }).finish();
  const accountSignature = signWith(
    input.accountKey,
    Buffer.concat([ACCOUNT_SIG_PREFIX, details, input.identityPub]),
  );
  const signed = proto.ADVSignedDeviceIdentity.encode({
    details,
    accountSignatureKey: input.accountKey.public,
    accountSignature,
  }).finish();
  const hmac = createHmac('sha256', input.advSecret).update(signed).digest();
  return proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish();
}

/**
 * Checks the companion's `<pair-device-sign>` identity: its device signature over
 * `06 01 ‖ details ‖ identityPub ‖ accountPub`. Returns the full identity (with the account key
 * put back, as the client later sends it in `<device-identity>`), or undefined if invalid.
 */
export function verifyDeviceSign(
  signedBytes: Uint8Array,
  identityPub: Buffer,
  accountPub: Buffer,
): Buffer | undefined {
  const identity = proto.ADVSignedDeviceIdentity.decode(signedBytes);
  if (!identity.details || !identity.deviceSignature) return undefined;
  const message = Buffer.concat([DEVICE_SIG_PREFIX, identity.details, identityPub, accountPub]);
  const valid = verifySignature(
    Buffer.concat([Buffer.from([5]), identityPub]),
    message,
    identity.deviceSignature,
  );
  if (!valid) return undefined;
  identity.accountSignatureKey = accountPub;
  return Buffer.from(proto.ADVSignedDeviceIdentity.encode(identity).finish());
}
