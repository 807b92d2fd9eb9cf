import { jidDecode } from '@whiskeysockets/baileys';
import type { PeerDirectory } from '../messaging/peer-directory.js';
import type { PeerDevice, PeerUser } from '../signal/index.js';
import type { World } from '../world/world.js';
import type { Account, Companion } from '../world/world-types.js';
import type { GroupUser } from './group-model.js';

/** One device of a group member: a real client (companion) or a device the simulator plays. */
export type MemberDevice =
  | { kind: 'companion'; jid: string; phone: string; companion: Companion }
  | { kind: 'simulated'; jid: string; phone: string; user: PeerUser; device: PeerDevice };

/** Who a jid in a group IQ is, and which devices a member has: accounts (phone + companions) and contacts. */
export class GroupMembers {
  constructor(
    private readonly world: World,
    private readonly directory: PeerDirectory,
  ) {}

  /** A user by PN or LID jid (device part ignored) or phone digits; undefined when not on WhatsApp. */
  user(jidOrPhone: string): GroupUser | undefined {
    const entry = this.directory.usyncEntry(jidOrPhone.replace(/:\d+@/, '@'));
    if (!entry) return undefined;
    const contact = this.directory.contact(entry.lid);
    const account = this.world.account(entry.lid);
    const name = contact?.name ?? account?.name ?? entry.pn.split('@')[0] ?? '';
    return { lid: entry.lid, pn: entry.pn, name };
  }

  ofAccount(account: Account): GroupUser {
    return { lid: account.lidJid, pn: account.pnJid, name: account.name ?? account.phone };
  }

  /** Every device of a user: an account's phone and companions, or a contact's devices. LID device jids. */
  devices(user: GroupUser): MemberDevice[] {
    const phone = user.pn.split('@')[0] ?? '';
    const contact = this.directory.contact(user.lid);
    if (contact) {
      return [...contact.devices.entries()].map(([id, device]) => ({
        kind: 'simulated',
        jid: contact.deviceJid(id, 'lid'),
        phone,
        user: contact,
        device,
      }));
    }
    const account = this.world.account(user.lid);
    if (!account) return [];
    const own = this.directory.ownPhone(account);
    const devices: MemberDevice[] = [
      { kind: 'simulated', jid: account.lidJid, phone, user: own, device: own.device(0) },
    ];
    for (const companion of account.companions.values()) {
      devices.push({ kind: 'companion', jid: companion.lid, phone, companion });
    }
    return devices;
  }
}

/** Same device whatever the spelling: `user:dev@lid` vs `phone:dev@s.whatsapp.net` vs the other user part. */
export function sameDevice(jid: string, device: MemberDevice): boolean {
  const a = jidDecode(jid);
  const b = jidDecode(device.jid);
  if (!a || !b || (a.device ?? 0) !== (b.device ?? 0)) return false;
  return a.user === b.user || a.user === device.phone;
}
