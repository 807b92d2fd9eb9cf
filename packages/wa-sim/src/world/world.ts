import { randomInt } from 'node:crypto';
import { Curve, jidDecode } from '@whiskeysockets/baileys';
import { toSignalKey } from '../signal/device-keys.js';
import { generateSigningKeyPair } from '../signal/signing-key.js';
import type { Account, Companion, OneTimePreKey, PrimaryDevice } from './world-types.js';

export interface CreateAccountOptions {
  /** Digits only. Default: the next free number from 15550000001 on. */
  phone?: string;
  /** LID user digits. Default: derived from a counter, 15 digits. */
  lidUser?: string;
  /** Push name of the account; becomes `creds.me.name` when paired with `<biz name>`. */
  name?: string;
}

export type NewCompanion = Omit<Companion, 'account' | 'jid' | 'lid' | 'pairedAt'>;

/** Device id and ADV key index set aside for a pairing in progress. */
export interface DeviceSlot {
  deviceId: number;
  keyIndex: number;
}

/**
 * Accounts, their phone (device 0) and their linked companions. Lookups accept PN or LID jids,
 * with or without the device part.
 */
export class World {
  private readonly byPhone = new Map<string, Account>();
  private readonly byLid = new Map<string, Account>();
  private sequence = 0;

  createAccount(options: CreateAccountOptions = {}): Account {
    const phone = options.phone ?? this.nextFree((n) => `1555${String(n).padStart(7, '0')}`, this.byPhone);
    const lidUser = options.lidUser ?? this.nextFree((n) => String(100200300400000 + n), this.byLid);
    if (this.byPhone.has(phone)) throw new Error(`account ${phone} already exists`);
    let primary: PrimaryDevice | undefined;
    const account: Account = {
      phone,
      lidUser,
      pnJid: `${phone}@s.whatsapp.net`,
      lidJid: `${lidUser}@lid`,
      // Signs each pairing's device identity: minted to sign through OpenSSL (signal/signing-key.ts).
      advKey: generateSigningKeyPair(),
      rawId: randomInt(1, 2 ** 31),
      // Made on first use: its XEdDSA signature is a noticeable share of a pairing's CPU time.
      get primary() {
        primary ??= createPrimaryDevice(phone, lidUser);
        return primary;
      },
      companions: new Map(),
      nextDeviceId: 1,
      nextKeyIndex: 1,
    };
    if (options.name !== undefined) account.name = options.name;
    this.byPhone.set(phone, account);
    this.byLid.set(lidUser, account);
    return account;
  }

  /** Finds an account by phone digits or any PN/LID jid of it. */
  account(phoneOrJid: string): Account | undefined {
    const decoded = phoneOrJid.includes('@') ? jidDecode(phoneOrJid) : undefined;
    if (!decoded) return this.byPhone.get(phoneOrJid);
    return decoded.server === 'lid' ? this.byLid.get(decoded.user) : this.byPhone.get(decoded.user);
  }

  accounts(): Account[] {
    return [...this.byPhone.values()];
  }

  /** Reserves the next device id and key index, so concurrent pairings never collide. */
  reserveDevice(account: Account): DeviceSlot {
    return { deviceId: account.nextDeviceId++, keyIndex: account.nextKeyIndex++ };
  }

  addCompanion(account: Account, fields: NewCompanion): Companion {
    const companion: Companion = {
      ...fields,
      account,
      jid: `${account.phone}:${fields.deviceId}@s.whatsapp.net`,
      lid: `${account.lidUser}:${fields.deviceId}@lid`,
      pairedAt: Date.now(),
    };
    account.companions.set(fields.deviceId, companion);
    return companion;
  }

  /** A companion by its device jid (PN or LID form). */
  companion(jid: string): Companion | undefined {
    const decoded = jidDecode(jid);
    if (!decoded?.device) return undefined;
    return this.account(jid)?.companions.get(decoded.device);
  }

  companions(): Companion[] {
    return this.accounts().flatMap((account) => [...account.companions.values()]);
  }

  removeCompanion(jid: string): Companion | undefined {
    const companion = this.companion(jid);
    companion?.account.companions.delete(companion.deviceId);
    return companion;
  }

  /** Hands out one uploaded one-time prekey and deletes it, as the server does for a key fetch. */
  takeOneTimePreKey(jid: string): OneTimePreKey | undefined {
    const companion = this.companion(jid);
    const first = companion?.preKeys.entries().next();
    if (!companion || !first || first.done) return undefined;
    const [id, publicKey] = first.value;
    companion.preKeys.delete(id);
    return { id, publicKey };
  }

  deletePreKey(jid: string, id: number): boolean {
    return this.companion(jid)?.preKeys.delete(id) ?? false;
  }

  private nextFree(format: (n: number) => string, taken: Map<string, Account>): string {
    let candidate = format(++this.sequence);
    while (taken.has(candidate)) candidate = format(++this.sequence);
    return candidate;
  }
}

function createPrimaryDevice(phone: string, lidUser: string): PrimaryDevice {
  const identityKey = generateSigningKeyPair();
  const keyPair = Curve.generateKeyPair();
  return {
    jid: `${phone}@s.whatsapp.net`,
    lid: `${lidUser}@lid`,
    identityKey,
    registrationId: randomInt(1, 16380),
    // What Baileys' signedKeyPair makes: the 0x05-prefixed public key, signed by the identity.
    signedPreKey: { keyId: 1, keyPair, signature: identityKey.sign(toSignalKey(keyPair.public)) },
  };
}
