import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import type { Messaging } from '../messaging/messaging.js';
import { companionBundle } from '../messaging/peer-directory.js';
import { newMessageId } from '../messaging/peer-stanzas.js';
import { child } from '../router/iq-replies.js';
import type { EncryptedPayload, PeerUser } from '../signal/index.js';
import { messageText } from '../signal/index.js';
import type { World } from '../world/world.js';
import type { GroupLog } from './group-log.js';
import type { MemberDevice } from './group-members.js';
import { type Group, type GroupUser, unixNow } from './group-model.js';
import { GroupError, type GroupOps } from './group-ops.js';
import type { PeerSenderKeys } from './peer-sender-keys.js';

export interface PeerGroupSendOptions {
  id?: string;
  /**
   * Send only the `skmsg`, as a phone does that believes every device already has its key: devices that do not
   * must ask for a retry (Baileys does, with a retry receipt). Default false.
   */
  withoutDistribution?: boolean;
}

/** What a peer's group message became, per receiving device. */
export interface GroupSent {
  id: string;
  /** Companions it was written to now, and those that get it when they next log in (device PN jids). */
  deliveredTo: string[];
  queuedFor: string[];
  /** Simulated devices that decrypted it (LID device jids). */
  decryptedBy: string[];
  /** Devices that got the sender's key with this message (LID device jids). */
  distributedTo: string[];
}

/**
 * A simulated peer's group send, as a phone does it: a sender key of its own per group, its distribution
 * message to each member device that lacks it (`pkmsg`/`msg`, 1:1 Signal), and one `skmsg` for all, relayed by
 * the server with `participant` = the peer. Retry receipts are answered with the message and the key in one 1:1
 * copy. The peer rotates its key when somebody leaves, as WhatsApp clients do.
 */
export class PeerGroupSender {
  /** `group \n sender LID` → devices that hold the sender's current key. */
  private readonly holders = new Map<string, Set<string>>();
  /** Sent messages by id, kept so a retry receipt can be answered. */
  private readonly sent = new Map<string, { group: Group; from: PeerUser; message: proto.IMessage }>();

  constructor(
    private readonly ops: GroupOps,
    private readonly keys: PeerSenderKeys,
    private readonly log: GroupLog,
    private readonly messaging: Pick<Messaging, 'deliver'>,
    private readonly world: World,
  ) {}

  async send(
    from: PeerUser,
    groupId: string,
    message: proto.IMessage,
    options: PeerGroupSendOptions = {},
  ): Promise<GroupSent> {
    const group = this.ops.find(groupId);
    if (!group.participants.has(from.lid)) throw new GroupError(403, 'forbidden');
    const id = options.id ?? newMessageId();
    const result: GroupSent = { id, deliveredTo: [], queuedFor: [], decryptedBy: [], distributedTo: [] };
    const { skmsg, distribution } = await this.keys.encrypt(from.device(0), group.id, from.lid, message);
    const holders = this.holdersOf(group, from);
    this.sent.set(id, { group, from, message });
    for (const participant of [...group.participants.values()]) {
      for (const device of this.ops.members.devices(participant)) {
        if (device.kind === 'simulated' && device.user === from) continue;
        const distribute = !options.withoutDistribution && !holders.has(device.jid);
        const keyMessage = distribute ? skdmMessage(group, distribution) : undefined;
        const payload = keyMessage ? await this.encryptFor(from, device, keyMessage) : undefined;
        if (distribute) {
          holders.add(device.jid);
          result.distributedTo.push(device.jid);
        }
        if (device.kind === 'companion') {
          const content: BinaryNode[] = [];
          if (payload) content.push(encNode(payload));
          content.push({ tag: 'enc', attrs: { v: '2', type: 'skmsg' }, content: skmsg });
          const written = await this.messaging.deliver(
            device.companion,
            groupStanza(from, group, id, content),
          );
          (written ? result.deliveredTo : result.queuedFor).push(device.companion.jid);
          this.record(group, id, from, device, 'relayed', payload?.type ?? 'none', false);
          continue;
        }
        if (await this.decryptAt(group, id, from, device, payload, skmsg))
          result.decryptedBy.push(device.jid);
      }
    }
    return result;
  }

  /** A session's retry receipt for a peer's message: resend it 1:1 with the sender key inside. */
  async answerRetry(requester: string, receipt: BinaryNode): Promise<void> {
    const id = receipt.attrs.id ?? '';
    const original = this.sent.get(id);
    const companion = this.world.companion(requester);
    if (!original || !companion || receipt.attrs.participant !== original.from.lid) return;
    const { group, from, message } = original;
    this.log.addRetry({
      groupId: group.id,
      id,
      from: companion.jid,
      direction: 'session-to-peer',
      at: Date.now(),
    });
    const device = this.ops.members
      .devices(this.ops.members.ofAccount(companion.account))
      .find((d) => d.kind === 'companion' && d.companion.jid === companion.jid);
    if (!device) return;
    const distribution = await this.keys.distribution(from.device(0), group.id, from.lid);
    const payload = await this.encryptFor(from, device, { ...message, ...skdmMessage(group, distribution) });
    const count = child(receipt, 'retry')?.attrs.count ?? '1';
    const enc = encNode(payload);
    enc.attrs.count = count;
    await this.messaging.deliver(companion, groupStanza(from, group, id, [enc]));
    this.holdersOf(group, from).add(device.jid);
    this.record(group, id, from, device, 'relayed', payload.type, true);
  }

  /** After `removed` left: every remaining peer starts a fresh key, so the leavers cannot read what follows. */
  rotate(group: Group, removed: GroupUser[]): void {
    for (const [key] of this.holders) if (key.startsWith(`${group.id}\n`)) this.holders.delete(key);
    for (const participant of [...group.participants.values(), ...removed]) {
      for (const device of this.ops.members.devices(participant)) {
        if (device.kind === 'simulated') this.keys.forget(device.device, group.id, device.user.lid);
      }
    }
  }

  private holdersOf(group: Group, from: PeerUser): Set<string> {
    const key = `${group.id}\n${from.lid}`;
    let set = this.holders.get(key);
    if (!set) {
      set = new Set();
      this.holders.set(key, set);
    }
    return set;
  }

  private encryptFor(
    from: PeerUser,
    device: MemberDevice,
    message: proto.IMessage,
  ): Promise<EncryptedPayload> {
    const bundle =
      device.kind === 'companion'
        ? () => companionBundle(this.world, device.companion)
        : () => device.device.claimBundle();
    return from.device(0).encrypt(device.jid, message, bundle);
  }

  private async decryptAt(
    group: Group,
    id: string,
    from: PeerUser,
    device: Extract<MemberDevice, { kind: 'simulated' }>,
    payload: EncryptedPayload | undefined,
    skmsg: Buffer,
  ): Promise<boolean> {
    try {
      if (payload) {
        const keyMessage = await device.device.decrypt(from.lid, payload.type, payload.ciphertext);
        const skdm = keyMessage.senderKeyDistributionMessage?.axolotlSenderKeyDistributionMessage;
        if (skdm) await this.keys.process(device.device, group.id, from.lid, skdm);
      }
      const message = await this.keys.decrypt(device.device, group.id, from.lid, skmsg);
      this.record(group, id, from, device, 'decrypted', payload?.type ?? 'none', false, message);
      return true;
    } catch (error) {
      this.record(
        group,
        id,
        from,
        device,
        'failed',
        payload?.type ?? 'none',
        false,
        undefined,
        String(error),
      );
      return false;
    }
  }

  private record(
    group: Group,
    id: string,
    from: PeerUser,
    device: MemberDevice,
    outcome: 'decrypted' | 'relayed' | 'failed',
    distribution: 'pkmsg' | 'msg' | 'none',
    retry: boolean,
    message?: proto.Message,
    error?: string,
  ): void {
    const text = message ? messageText(message) : undefined;
    this.log.addDelivery({
      groupId: group.id,
      id,
      sender: from.lid,
      recipient: device.jid,
      recipientPhone: device.phone,
      outcome,
      distribution,
      retry,
      ...(message ? { message } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(error ? { error } : {}),
      at: Date.now(),
    });
  }
}

function skdmMessage(group: Group, distribution: Buffer): proto.IMessage {
  return {
    senderKeyDistributionMessage: { groupId: group.id, axolotlSenderKeyDistributionMessage: distribution },
  };
}

function encNode(payload: EncryptedPayload): BinaryNode {
  return { tag: 'enc', attrs: { v: '2', type: payload.type }, content: payload.ciphertext };
}

/** `<message from=group participant=LID participant_pn=PN addressing_mode="lid">`, as the server relays it. */
function groupStanza(from: PeerUser, group: Group, id: string, content: BinaryNode[]): BinaryNode {
  return {
    tag: 'message',
    attrs: {
      from: group.id,
      participant: from.lid,
      participant_pn: from.pn,
      addressing_mode: 'lid',
      id,
      t: String(unixNow()),
      type: 'text',
      notify: from.name,
    },
    content,
  };
}
