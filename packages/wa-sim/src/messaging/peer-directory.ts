import { jidDecode } from '@whiskeysockets/baileys';
import {
  type DeviceKeys,
  generateKeyPairBuffers,
  type OneTimePreKey,
  PeerDevice,
  PeerUser,
  toSignalKey,
  type UsyncDirectoryEntry,
  type WireBundle,
} from '../signal/index.js';
import type { World } from '../world/world.js';
import type { Account, Companion } from '../world/world-types.js';
import type { Contact } from './contact.js';

/** A device the simulator plays, found from a jid on the wire. */
export interface ResolvedDevice {
  user: PeerUser;
  device: PeerDevice;
  /** True when the device is an account's own phone rather than a contact. */
  ownPhone: boolean;
}

/**
 * Who is on the simulated WhatsApp: the contacts tests add, plus every account of the world (its phone is
 * played here with the world's keys; its companions are real Baileys clients). Answers the usync and key
 * directory questions for both.
 */
export class PeerDirectory {
  private readonly contacts = new Map<string, Contact>();
  private readonly phones = new Map<string, PeerUser>();

  constructor(private readonly world: World) {}

  /** Adds a contact; phone numbers and LIDs must be unique across contacts and accounts. */
  register(user: Contact): Contact {
    const taken = [user.phone, user.lidUser].some((id) => this.contact(id) || this.world.account(id));
    if (taken || this.world.account(user.lid)) {
      throw new Error(`${user.phone} / ${user.lid} is already on the simulated WhatsApp`);
    }
    this.contacts.set(user.phone, user);
    return user;
  }

  allContacts(): Contact[] {
    return [...this.contacts.values()];
  }

  /** A contact by phone digits, `+phone`, or any PN/LID jid of it. */
  contact(phoneOrJid: string): Contact | undefined {
    const user = userPart(phoneOrJid);
    for (const contact of this.contacts.values()) {
      if (contact.phone === user || contact.lidUser === user) return contact;
    }
    return undefined;
  }

  /** The simulated phone (device 0) of an account, created on first use from the world's keys. */
  ownPhone(account: Account): PeerUser {
    let phone = this.phones.get(account.phone);
    if (!phone) {
      phone = new PeerUser({
        phone: account.phone,
        lid: account.lidUser,
        name: account.name ?? '',
        devices: [],
      });
      phone.devices.set(0, new PeerDevice(0, primaryKeys(account)));
      this.phones.set(account.phone, phone);
    }
    return phone;
  }

  /** The simulated device behind a device jid (PN or LID), if the simulator plays it. */
  resolveDevice(jid: string): ResolvedDevice | undefined {
    const decoded = jidDecode(jid);
    if (!decoded) return undefined;
    const deviceId = decoded.device ?? 0;
    const contact = this.contact(jid);
    if (contact) {
      const device = contact.devices.get(deviceId);
      return device ? { user: contact, device, ownPhone: false } : undefined;
    }
    const account = this.world.account(jid);
    if (account && deviceId === 0) {
      const user = this.ownPhone(account);
      return { user, device: user.device(0), ownPhone: true };
    }
    return undefined;
  }

  /** usync view of a user (phone, `+phone` or jid): contacts and accounts alike. */
  usyncEntry(jidOrPhone: string): UsyncDirectoryEntry | undefined {
    const contact = this.contact(jidOrPhone);
    if (contact) {
      return { pn: contact.pn, lid: contact.lid, devices: [...contact.devices.keys()].map((id) => ({ id })) };
    }
    const account = this.world.account(jidOrPhone.replace(/^\+/, '')) ?? this.world.account(jidOrPhone);
    if (!account) return undefined;
    const companions = [...account.companions.values()].map((c) => ({
      id: c.deviceId,
      keyIndex: c.keyIndex,
    }));
    return { pn: account.pnJid, lid: account.lidJid, devices: [{ id: 0 }, ...companions] };
  }

  /** Key bundle for `encrypt/get/key`: simulated devices, or a companion's uploaded keys. */
  claimBundle(jid: string): WireBundle | undefined {
    const resolved = this.resolveDevice(jid);
    if (resolved) return resolved.device.claimBundle();
    const companion = this.world.companion(jid);
    return companion ? companionBundle(this.world, companion) : undefined;
  }
}

/** Server-side hand-out of a companion's uploaded keys, consuming one one-time prekey. */
export function companionBundle(world: World, companion: Companion): WireBundle {
  const preKey = world.takeOneTimePreKey(companion.jid);
  return {
    registrationId: companion.registrationId,
    identityKey: companion.identityKey,
    signedPreKey: companion.signedPreKey,
    ...(preKey ? { preKey: { keyId: preKey.id, publicKey: preKey.publicKey } } : {}),
  };
}

function primaryKeys(account: Account): DeviceKeys {
  const { identityKey, registrationId, signedPreKey } = account.primary;
  const toPair = (pair: { public: Uint8Array; private: Uint8Array }) => ({
    pubKey: toSignalKey(pair.public),
    privKey: Buffer.from(pair.private),
  });
  // The world keeps no one-time prekeys for phones; mint a few so first contacts get full X3DH.
  const preKeys = new Map<number, OneTimePreKey>();
  for (let keyId = 1; keyId <= 5; keyId++) preKeys.set(keyId, { keyId, keyPair: generateKeyPairBuffers() });
  return {
    registrationId,
    identity: toPair(identityKey),
    signedPreKey: {
      keyId: signedPreKey.keyId,
      keyPair: toPair(signedPreKey.keyPair),
      signature: signedPreKey.signature,
    },
    preKeys,
  };
}

function userPart(phoneOrJid: string): string {
  if (!phoneOrJid.includes('@')) return phoneOrJid.replace(/^\+/, '');
  return jidDecode(phoneOrJid)?.user ?? phoneOrJid;
}
