import {
  type AuthenticationCreds,
  type BinaryNode,
  configureSuccessfulPairing,
} from '@whiskeysockets/baileys';
import { bytes, child, SERVER_JID } from '../router/iq-replies.js';
import type { SimContext } from '../sim-context.js';
import type { Companion } from '../world/world-types.js';
import { buildDeviceIdentityEnvelope, verifyDeviceSign } from './adv.js';
import type { ScanOptions } from './pairing.js';

export interface ProvisionOptions extends ScanOptions {
  /**
   * One-time pre-keys the companion has "uploaded" (id → 32-byte public key); the caller keeps the
   * private halves in the client's key store. More than 5 keeps Baileys' login from uploading more.
   */
  preKeys?: ReadonlyArray<{ id: number; publicKey: Uint8Array }>;
}

/**
 * Links a companion without a connection: the same `<pair-success>` a QR scan sends, answered by
 * Baileys' own `configureSuccessfulPairing` on `creds` (which it updates in place exactly as a
 * pairing socket would: `me`, `account`, `signalIdentities`, `platform`), and the same check of the
 * device signature. For benchmarks that need a thousand paired sessions: a QR pairing costs a socket,
 * a 515 restart and an 812-key upload on both sides, none of which is what they measure.
 */
export function provisionCompanion(
  ctx: SimContext,
  creds: AuthenticationCreds,
  options: ProvisionOptions = {},
): Companion {
  const account =
    (options.phone ? ctx.world.account(options.phone) : undefined) ??
    ctx.world.createAccount({ ...(options.phone ? { phone: options.phone } : {}) });
  if (options.name !== undefined) account.name = options.name;
  const slot = ctx.world.reserveDevice(account);
  const identityPub = Buffer.from(creds.signedIdentityKey.public);
  const envelope = buildDeviceIdentityEnvelope({
    accountKey: account.advKey,
    rawId: account.rawId,
    keyIndex: slot.keyIndex,
    identityPub,
    advSecret: Buffer.from(creds.advSecretKey, 'base64'),
  });
  const platform = options.platform ?? 'android';
  const content: BinaryNode[] = [
    { tag: 'device-identity', attrs: {}, content: envelope },
    { tag: 'platform', attrs: { name: platform } },
    {
      tag: 'device',
      attrs: {
        jid: `${account.phone}:${slot.deviceId}@s.whatsapp.net`,
        lid: `${account.lidUser}:${slot.deviceId}@lid`,
      },
    },
  ];
  if (account.name !== undefined) content.push({ tag: 'biz', attrs: { name: account.name } });
  const stanza: BinaryNode = {
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'set', xmlns: 'md', id: 'provision' },
    content: [{ tag: 'pair-success', attrs: {}, content }],
  };
  const { creds: update, reply } = configureSuccessfulPairing(stanza, creds);
  Object.assign(creds, update);
  const signed = bytes(child(child(reply, 'pair-device-sign'), 'device-identity'));
  const identity = verifyDeviceSign(signed, identityPub, Buffer.from(account.advKey.public));
  if (!identity) throw new Error('provisioned device identity not signed by the companion identity key');
  const companion = ctx.world.addCompanion(account, {
    ...slot,
    noiseKey: Buffer.from(creds.noiseKey.public),
    identityKey: identityPub,
    registrationId: creds.registrationId,
    signedPreKey: {
      keyId: creds.signedPreKey.keyId,
      publicKey: Buffer.from(creds.signedPreKey.keyPair.public),
      signature: Buffer.from(creds.signedPreKey.signature),
    },
    preKeys: new Map((options.preKeys ?? []).map((key) => [key.id, Buffer.from(key.publicKey)])),
    signedDeviceIdentity: identity,
    platform,
  });
  ctx.counters.pairings++;
  return companion;
}
