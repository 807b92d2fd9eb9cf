import { randomBytes } from 'node:crypto';
import type { BinaryNode } from '@whiskeysockets/baileys';
import { applyFault } from '../faults/apply-fault.js';
import { bytes, child, SERVER_JID } from '../router/iq-replies.js';
import type { SimConnection } from '../server/connection.js';
import type { SimContext } from '../sim-context.js';
import type { Companion } from '../world/world-types.js';
import { buildDeviceIdentityEnvelope, verifyDeviceSign } from './adv.js';
import { parsePairingQr } from './qr.js';

export interface ScanOptions {
  /** Account to link to (digits); created if unknown. Default: a new account. */
  phone?: string;
  /** Sent as `<biz name>`; becomes `creds.me.name` and lets Baileys send presence. Default none. */
  name?: string;
  /** `<platform name>` of the phone. Default `android`. */
  platform?: string;
}

/** Offers QR refs to a registering client (`<pair-device>`), then waits for a scan. */
export async function startPairing(ctx: SimContext, conn: SimConnection): Promise<void> {
  const refs = Array.from({ length: ctx.behaviour.qrRefs }, () => `1@${randomBytes(18).toString('base64')}`);
  for (const ref of refs) ctx.qrRefs.set(ref, conn);
  const iq: BinaryNode = {
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'set', id: conn.nextId(), xmlns: 'md' },
    content: [
      {
        tag: 'pair-device',
        attrs: {},
        content: refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) })),
      },
    ],
  };
  try {
    await conn.query(iq);
  } catch {
    return; // closed before acknowledging
  }
  ctx.events.emit('qr', conn, refs);
  ctx.faults.fire('qr', conn);
}

/** Forgets the QR refs of a closed connection. */
export function forgetPairing(ctx: SimContext, conn: SimConnection): void {
  for (const [ref, owner] of ctx.qrRefs) if (owner === conn) ctx.qrRefs.delete(ref);
}

/**
 * The simulated phone scans a QR: links a new companion to the account, sends `<pair-success>`,
 * checks the client's `<pair-device-sign>` and asks it to restart (515), as WhatsApp does.
 */
export async function scanQr(ctx: SimContext, qr: string, options: ScanOptions = {}): Promise<Companion> {
  const parsed = parsePairingQr(qr);
  const conn = ctx.qrRefs.get(parsed.ref);
  if (!conn?.isOpen) throw new Error('QR ref unknown or expired');
  const pairing = conn.clientPayload?.devicePairingData;
  if (!pairing || !conn.clientStatic?.equals(parsed.noisePub)) {
    throw new Error('QR noise key does not match the connection that showed it');
  }
  forgetPairing(ctx, conn);
  return linkCompanion(ctx, conn, {
    identityPub: parsed.identityPub,
    advSecret: parsed.advSecret,
    options,
  });
}

/** What the phone knows about a companion it links, however it learnt it (QR or pairing code). */
export interface LinkInput {
  /** The companion's 32-byte Signal identity public key. */
  identityPub: Buffer;
  /** The ADV secret both sides hold: from the QR, or derived in the pairing-code exchange. */
  advSecret: Buffer;
  options: ScanOptions;
}

/**
 * The phone's half of linking, shared by QR scans and pairing codes: `<pair-success>` with the
 * account-signed identity (HMAC-keyed by the ADV secret), the client's `<pair-device-sign>` checked,
 * the companion stored, and the 515 restart, as WhatsApp does.
 */
export async function linkCompanion(
  ctx: SimContext,
  conn: SimConnection,
  input: LinkInput,
): Promise<Companion> {
  const { options, identityPub } = input;
  const pairing = conn.clientPayload?.devicePairingData;
  if (!pairing || !conn.clientStatic) throw new Error('not a registration connection');
  const account =
    (options.phone ? ctx.world.account(options.phone) : undefined) ??
    ctx.world.createAccount({ ...(options.phone ? { phone: options.phone } : {}) });
  if (options.name !== undefined) account.name = options.name;
  const slot = ctx.world.reserveDevice(account);
  const envelope = buildDeviceIdentityEnvelope({
    accountKey: account.advKey,
    rawId: account.rawId,
    keyIndex: slot.keyIndex,
    identityPub,
    advSecret: input.advSecret,
  });
  const pairSuccess: BinaryNode[] = [
    { tag: 'device-identity', attrs: {}, content: envelope },
    { tag: 'platform', attrs: { name: options.platform ?? 'android' } },
    {
      tag: 'device',
      attrs: {
        jid: `${account.phone}:${slot.deviceId}@s.whatsapp.net`,
        lid: `${account.lidUser}:${slot.deviceId}@lid`,
      },
    },
  ];
  if (account.name !== undefined) pairSuccess.push({ tag: 'biz', attrs: { name: account.name } });
  const reply = await conn.query({
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'set', xmlns: 'md', t: String(Math.floor(Date.now() / 1000)) },
    content: [{ tag: 'pair-success', attrs: {}, content: pairSuccess }],
  });
  const signed = bytes(child(child(reply, 'pair-device-sign'), 'device-identity'));
  const identity = signed.length
    ? verifyDeviceSign(signed, identityPub, Buffer.from(account.advKey.public))
    : undefined;
  if (!identity) {
    applyFault(conn, { kind: 'failure', reason: '401' });
    throw new Error('pair-device-sign missing or not signed by the companion identity key');
  }
  const companion = ctx.world.addCompanion(account, {
    ...slot,
    noiseKey: conn.clientStatic,
    identityKey: identityPub,
    registrationId: Buffer.from(pairing.eRegid ?? []).readUIntBE(0, 4),
    signedPreKey: {
      keyId: Buffer.from(pairing.eSkeyId ?? []).readUIntBE(0, 3),
      publicKey: Buffer.from(pairing.eSkeyVal ?? []),
      signature: Buffer.from(pairing.eSkeySig ?? []),
    },
    preKeys: new Map(),
    signedDeviceIdentity: identity,
    platform: options.platform ?? 'android',
  });
  ctx.counters.pairings++;
  ctx.events.emit('paired', companion, conn);
  applyFault(conn, { kind: 'stream-error', code: '515' });
  return companion;
}
