import type { proto } from '@whiskeysockets/baileys';
// Baileys' own sender-key implementation (the one it runs itself), so peers and sessions speak the same format.
import {
  GroupCipher,
  GroupSessionBuilder,
  SenderKeyDistributionMessage,
  SenderKeyName,
  SenderKeyRecord,
} from '@whiskeysockets/baileys/lib/Signal/Group/index.js';
import { decodeMessage, encodeMessage, type PeerDevice, signalAddress } from '../signal/index.js';

/** In-memory sender-key records of one simulated device, keyed like Baileys keys them (`group::user::device`). */
class SenderKeyMemoryStore {
  readonly records = new Map<string, SenderKeyRecord>();

  async loadSenderKey(name: SenderKeyName): Promise<SenderKeyRecord> {
    return this.records.get(name.toString()) ?? new SenderKeyRecord();
  }

  async storeSenderKey(name: SenderKeyName, record: SenderKeyRecord): Promise<void> {
    this.records.set(name.toString(), record);
  }
}

/**
 * Sender keys of simulated devices: their own (one per group, to encrypt `skmsg`) and those other members
 * distributed to them (to decrypt). The sender is named by its LID device jid on both sides, which is how
 * Baileys names itself in LID-addressed groups.
 */
export class PeerSenderKeys {
  private readonly stores = new WeakMap<PeerDevice, SenderKeyMemoryStore>();

  private store(device: PeerDevice): SenderKeyMemoryStore {
    let store = this.stores.get(device);
    if (!store) {
      store = new SenderKeyMemoryStore();
      this.stores.set(device, store);
    }
    return store;
  }

  /** Stores a SenderKeyDistributionMessage `sender` sent to `device` for `groupId`. */
  async process(
    device: PeerDevice,
    groupId: string,
    sender: string,
    distribution: Uint8Array,
  ): Promise<void> {
    const message = new SenderKeyDistributionMessage(null, null, null, null, distribution);
    await new GroupSessionBuilder(this.store(device)).process(keyName(groupId, sender), message);
  }

  /** Decrypts an `skmsg` from `sender`; throws (as WhatsApp clients fail) when its key never reached `device`. */
  async decrypt(
    device: PeerDevice,
    groupId: string,
    sender: string,
    skmsg: Uint8Array,
  ): Promise<proto.Message> {
    const plaintext = await new GroupCipher(this.store(device), keyName(groupId, sender)).decrypt(skmsg);
    return decodeMessage(plaintext);
  }

  /** Encrypts as `self` (the device's LID jid); returns the `skmsg` and the distribution message for newcomers. */
  async encrypt(
    device: PeerDevice,
    groupId: string,
    self: string,
    message: proto.IMessage,
  ): Promise<{ skmsg: Buffer; distribution: Buffer }> {
    const name = keyName(groupId, self);
    const store = this.store(device);
    const distribution = await new GroupSessionBuilder(store).create(name);
    const skmsg = await new GroupCipher(store, name).encrypt(encodeMessage(message));
    return { skmsg: Buffer.from(skmsg), distribution: Buffer.from(distribution.serialize()) };
  }

  /** The distribution message of the device's current key (for a retry), creating the key if needed. */
  async distribution(device: PeerDevice, groupId: string, self: string): Promise<Buffer> {
    const message = await new GroupSessionBuilder(this.store(device)).create(keyName(groupId, self));
    return Buffer.from(message.serialize());
  }

  /**
   * Forgets sender keys `device` holds for `groupId`: all of them (as after a reinstall), or only those of
   * `sender` (its own key, for a rotation after someone left).
   */
  forget(device: PeerDevice, groupId: string, sender?: string): number {
    const store = this.store(device);
    const prefix = sender ? `${keyName(groupId, sender).toString()}` : `${groupId}::`;
    let dropped = 0;
    for (const key of [...store.records.keys()]) {
      if (key.startsWith(prefix)) {
        store.records.delete(key);
        dropped++;
      }
    }
    return dropped;
  }
}

function keyName(groupId: string, sender: string): SenderKeyName {
  const address = signalAddress(sender);
  return new SenderKeyName(groupId, {
    id: address.id,
    deviceId: address.deviceId,
    toString: () => address.toString(),
  });
}
