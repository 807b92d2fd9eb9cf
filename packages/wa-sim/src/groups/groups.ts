import type { proto } from '@whiskeysockets/baileys';
import type { PeerUser } from '../signal/index.js';
import type { GroupDelivery, GroupLog, GroupNotificationRecord, GroupRetryRecord } from './group-log.js';
import type { Group, GroupUser } from './group-model.js';
import type { GroupOps, ParticipantAction, ParticipantResult } from './group-ops.js';
import type { GroupSent, PeerGroupSender, PeerGroupSendOptions } from './peer-group-send.js';
import type { PeerSenderKeys } from './peer-sender-keys.js';

/** A user as tests name one: phone digits, a PN or LID jid, or a contact / phone object. */
export type UserRef = string | Pick<PeerUser, 'lid'>;

/** Default wait of the `waitFor…` helpers. */
const DEFAULT_WAIT_MS = 5_000;

/**
 * Test-facing groups API of a simulator (`sim.groups`): groups made and changed on a peer's behalf (with the same
 * notifications a session's IQs cause), peers' group messages, and per group which member device received and
 * decrypted what.
 */
export class Groups {
  constructor(
    private readonly ops: GroupOps,
    private readonly sender: PeerGroupSender,
    private readonly keys: PeerSenderKeys,
    readonly log: GroupLog,
  ) {}

  /** Creates a group as `creator` (any user, usually a contact), with `participants` added. */
  create(creator: UserRef, subject: string, participants: UserRef[] = []): Group {
    return this.ops.create(this.user(creator), subject, participants.map(jidOf)).group;
  }

  get(id: string): Group | undefined {
    return this.ops.store.get(id);
  }

  all(): Group[] {
    return this.ops.store.all();
  }

  /** Add, remove, promote or demote as `by`, who must be an admin; per-participant results as the IQ has them. */
  participants(
    groupId: string,
    by: UserRef,
    action: ParticipantAction,
    users: UserRef[],
  ): ParticipantResult[] {
    const actor = this.user(by);
    return this.ops.participants(this.ops.forAdmin(groupId, actor), actor, action, users.map(jidOf));
  }

  setSubject(groupId: string, by: UserRef, subject: string): void {
    const actor = this.user(by);
    this.ops.setSubject(this.ops.forInfoEdit(groupId, actor), actor, subject);
  }

  leave(groupId: string, user: UserRef): void {
    this.ops.leave(this.user(user), [groupId]);
  }

  /** From now on, adding this user answers 403 (their privacy settings only allow contacts to add them). */
  refuseAdds(user: UserRef): void {
    this.ops.refusingAdds.add(this.user(user).lid);
  }

  sendText(
    from: PeerUser,
    groupId: string,
    text: string,
    options?: PeerGroupSendOptions,
  ): Promise<GroupSent> {
    return this.sender.send(from, groupId, { conversation: text }, options);
  }

  sendMessage(
    from: PeerUser,
    groupId: string,
    message: proto.IMessage,
    options?: PeerGroupSendOptions,
  ): Promise<GroupSent> {
    return this.sender.send(from, groupId, message, options);
  }

  /** The peer's devices lose every sender key of the group, as after a reinstall: they must ask for retries. */
  forgetSenderKeys(peer: PeerUser, groupId: string): number {
    let dropped = 0;
    for (const device of peer.devices.values()) dropped += this.keys.forget(device, groupId);
    return dropped;
  }

  /** What reached member devices, oldest first; filter by group and/or message id. */
  deliveries(filter: { groupId?: string; id?: string } = {}): GroupDelivery[] {
    return this.log.deliveries.filter(
      (d) => (!filter.groupId || d.groupId === filter.groupId) && (!filter.id || d.id === filter.id),
    );
  }

  /** Simulated devices (LID device jids) that decrypted message `id`. */
  decryptedBy(id: string): string[] {
    return this.deliveries({ id })
      .filter((d) => d.outcome === 'decrypted')
      .map((d) => d.recipient);
  }

  notifications(filter: { groupId?: string; to?: string } = {}): GroupNotificationRecord[] {
    return this.log.notifications.filter(
      (n) => (!filter.groupId || n.groupId === filter.groupId) && (!filter.to || n.to === filter.to),
    );
  }

  /** `w:g2` IQs answered so far, of one kind (`create`, `query`, `add`, `subject`, …) or all of them. */
  iqCount(kind?: string): number {
    if (kind) return this.log.iqs.get(kind) ?? 0;
    return [...this.log.iqs.values()].reduce((a, b) => a + b, 0);
  }

  waitForDelivery(match: (d: GroupDelivery) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<GroupDelivery> {
    return this.log.deliveryWaiters.wait(match, timeoutMs, 'a group delivery');
  }

  waitForNotification(
    match: (n: GroupNotificationRecord) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<GroupNotificationRecord> {
    return this.log.notificationWaiters.wait(match, timeoutMs, 'a group notification');
  }

  waitForRetry(
    match: (r: GroupRetryRecord) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<GroupRetryRecord> {
    return this.log.retryWaiters.wait(match, timeoutMs, 'a group retry receipt');
  }

  private user(ref: UserRef): GroupUser {
    const user = this.ops.members.user(jidOf(ref));
    if (!user) throw new Error(`${jidOf(ref)} is not on the simulated WhatsApp`);
    return user;
  }
}

function jidOf(ref: UserRef): string {
  return typeof ref === 'string' ? ref : ref.lid;
}
