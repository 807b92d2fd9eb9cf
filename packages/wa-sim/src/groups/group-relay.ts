import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import type { Messaging } from '../messaging/messaging.js';
import { messageAck } from '../messaging/peer-stanzas.js';
import { child, children } from '../router/iq-replies.js';
import type { SimConnection } from '../server/connection.js';
import { type EncType, messageText } from '../signal/index.js';
import type { Companion } from '../world/world-types.js';
import type { GroupLog } from './group-log.js';
import { type MemberDevice, sameDevice } from './group-members.js';
import type { Group } from './group-model.js';
import { unixNow } from './group-model.js';
import type { GroupOps } from './group-ops.js';
import type { PeerSenderKeys } from './peer-sender-keys.js';

interface EncCopy {
  type: EncType;
  ciphertext: Uint8Array;
}

type SimulatedDevice = Extract<MemberDevice, { kind: 'simulated' }>;

/**
 * The server side of a session's group message (Baileys' relayMessage group branch): one `skmsg` for all, plus
 * a `pkmsg`/`msg` carrying the SenderKeyDistributionMessage to each device that lacks the sender key. The server
 * acks, writes each companion of every current member its copy (its own distribution `enc`, if any, and the
 * `skmsg`), and the simulated devices decrypt theirs. A device without the key sends a retry receipt; Baileys'
 * answer (`participant` set, one `enc` with the message and the key) is decrypted here too.
 */
export class GroupRelay {
  /** Retry receipts sent per `message id / device`, for the `count` WhatsApp numbers them with. */
  private readonly retryCounts = new Map<string, number>();

  constructor(
    private readonly ops: GroupOps,
    private readonly keys: PeerSenderKeys,
    private readonly log: GroupLog,
    private readonly messaging: Pick<Messaging, 'deliver'>,
  ) {}

  async onClientMessage(conn: SimConnection, node: BinaryNode): Promise<void> {
    const sender = conn.companion;
    const groupId = node.attrs.to ?? '';
    if (!sender || !groupId.endsWith('@g.us')) return;
    const group = this.ops.store.get(groupId);
    const actor = this.ops.members.ofAccount(sender.account);
    const member = group?.participants.get(actor.lid);
    // Not a participant (or only admins may send): WhatsApp refuses with an error ack and relays nothing.
    const refused = !group || !member || (group.announce && !member.role);
    await conn.send(messageAck(node, refused ? (group ? '403' : '404') : undefined));
    if (!group || refused) return;
    const retryFor = node.attrs.participant;
    if (retryFor) await this.onRetryResend(group, sender, node, retryFor);
    else await this.fanOut(group, sender, node);
  }

  private async fanOut(group: Group, sender: Companion, node: BinaryNode): Promise<void> {
    const copies = new Map<string, EncCopy>();
    for (const to of children(child(node, 'participants'), 'to')) {
      const enc = child(to, 'enc');
      const type = enc?.attrs.type;
      if (to.attrs.jid && enc?.content instanceof Uint8Array && (type === 'pkmsg' || type === 'msg')) {
        copies.set(to.attrs.jid, { type, ciphertext: enc.content });
      }
    }
    const skmsgNode = children(node, 'enc').find((enc) => enc.attrs.type === 'skmsg');
    const skmsg = skmsgNode?.content instanceof Uint8Array ? skmsgNode.content : undefined;
    const id = node.attrs.id ?? '';
    for (const participant of [...group.participants.values()]) {
      for (const device of this.ops.members.devices(participant)) {
        if (device.kind === 'companion' && device.companion.jid === sender.jid) continue;
        const copy = [...copies.entries()].find(([jid]) => sameDevice(jid, device))?.[1];
        if (device.kind === 'simulated') {
          await this.decryptAt(group, id, sender, device, copy, skmsg, false);
          continue;
        }
        const content: BinaryNode[] = [];
        if (copy) content.push({ tag: 'enc', attrs: { v: '2', type: copy.type }, content: copy.ciphertext });
        if (skmsgNode) content.push(skmsgNode);
        await this.messaging.deliver(device.companion, relayed(node, sender, group, content));
        this.record(group, id, sender, device, 'relayed', copy?.type, false, {});
      }
    }
  }

  private async onRetryResend(group: Group, sender: Companion, node: BinaryNode, target: string) {
    const enc = child(node, 'enc');
    const type = enc?.attrs.type;
    if (!enc || !(enc.content instanceof Uint8Array) || (type !== 'pkmsg' && type !== 'msg')) return;
    for (const participant of group.participants.values()) {
      for (const device of this.ops.members.devices(participant)) {
        if (!sameDevice(target, device)) continue;
        const copy: EncCopy = { type, ciphertext: enc.content };
        const id = node.attrs.id ?? '';
        if (device.kind === 'simulated')
          await this.decryptAt(group, id, sender, device, copy, undefined, true);
        else await this.messaging.deliver(device.companion, relayed(node, sender, group, [enc]));
      }
    }
  }

  /** A simulated device takes its copy: the distribution message first, then the `skmsg` (or the resent message). */
  private async decryptAt(
    group: Group,
    id: string,
    sender: Companion,
    device: SimulatedDevice,
    copy: EncCopy | undefined,
    skmsg: Uint8Array | undefined,
    retry: boolean,
  ): Promise<void> {
    let message: proto.Message | undefined;
    try {
      if (copy) {
        const decrypted = await device.device.decrypt(sender.lid, copy.type, copy.ciphertext);
        const inner = decrypted.deviceSentMessage?.message ?? decrypted;
        const distribution = inner.senderKeyDistributionMessage?.axolotlSenderKeyDistributionMessage;
        if (distribution) await this.keys.process(device.device, group.id, sender.lid, distribution);
        message = inner as proto.Message;
      }
      if (skmsg) message = await this.keys.decrypt(device.device, group.id, sender.lid, skmsg);
      this.record(group, id, sender, device, 'decrypted', copy?.type, retry, { message });
    } catch (error) {
      this.record(group, id, sender, device, 'failed', copy?.type, retry, { error: String(error) });
      await this.askRetry(group, id, sender, device);
    }
  }

  /** `<receipt type="retry" from=group participant=device>` to the sender, as a phone that lacks the key sends it. */
  private async askRetry(group: Group, id: string, sender: Companion, device: SimulatedDevice) {
    const key = `${id}\n${device.jid}`;
    const count = (this.retryCounts.get(key) ?? 0) + 1;
    this.retryCounts.set(key, count);
    const t = String(unixNow());
    const registration = Buffer.alloc(4);
    registration.writeUInt32BE(device.device.keys.registrationId);
    const receipt: BinaryNode = {
      tag: 'receipt',
      attrs: { from: group.id, participant: device.jid, id, t, type: 'retry' },
      content: [
        { tag: 'retry', attrs: { count: String(count), id, t, v: '1', error: '0' } },
        { tag: 'registration', attrs: {}, content: registration },
      ],
    };
    this.log.addRetry({
      groupId: group.id,
      id,
      from: device.jid,
      direction: 'peer-to-session',
      at: Date.now(),
    });
    await this.messaging.deliver(sender, receipt);
  }

  private record(
    group: Group,
    id: string,
    sender: Companion,
    device: MemberDevice,
    outcome: 'decrypted' | 'relayed' | 'failed',
    distribution: EncType | undefined,
    retry: boolean,
    extra: { message?: proto.Message; error?: string },
  ): void {
    const text = extra.message ? messageText(extra.message) : undefined;
    // Baileys answers a phone's (device 0) retry receipt by sending the message to everyone again.
    const again = this.log.deliveries.some(
      (d) => d.id === id && d.recipient === device.jid && d.outcome !== 'failed',
    );
    this.log.addDelivery({
      groupId: group.id,
      id,
      sender: sender.lid,
      recipient: device.jid,
      recipientPhone: device.phone,
      outcome,
      distribution: distribution ?? 'none',
      retry: retry || again || this.retryCounts.has(`${id}\n${device.jid}`),
      ...(extra.message ? { message: extra.message } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(extra.error ? { error: extra.error } : {}),
      at: Date.now(),
    });
  }
}

/** The copy another member's companion gets: from the group, the sending device as `participant`. */
function relayed(node: BinaryNode, sender: Companion, group: Group, content: BinaryNode[]): BinaryNode {
  return {
    tag: 'message',
    attrs: {
      from: group.id,
      participant: sender.lid,
      participant_pn: sender.jid,
      addressing_mode: 'lid',
      id: node.attrs.id ?? '',
      t: String(unixNow()),
      type: node.attrs.type ?? 'text',
      notify: sender.account.name ?? '',
    },
    content,
  };
}
