import type { BinaryNode } from '@whiskeysockets/baileys';
import type { Messaging } from '../messaging/messaging.js';
import type { GroupLog } from './group-log.js';
import type { GroupMembers } from './group-members.js';
import {
  type Group,
  type GroupParticipant,
  type GroupStore,
  type GroupUser,
  newInviteCode,
  unixNow,
} from './group-model.js';
import { groupNode, groupNotification, participantNode } from './group-nodes.js';

/** A refusal as the server answers it: `<error code text/>` (Baileys throws a Boom with `data` = code). */
export class GroupError extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(`${code} ${text}`);
  }
}

export type ParticipantAction = 'add' | 'remove' | 'promote' | 'demote';

/**
 * Per-participant result of add/remove/promote/demote, as Baileys exposes it (`status`): `200` done, `403` the
 * user's privacy settings refuse being added (an invite is due instead), `404` not on WhatsApp or not a
 * participant, `409` already a participant.
 */
export interface ParticipantResult {
  jid: string;
  status: '200' | '403' | '404' | '409';
  user?: GroupUser;
}

/** Group state changes with WhatsApp's permission rules, each followed by its `w:gp2` notification. */
export class GroupOps {
  /** Users (LID jids) whose privacy refuses being added by others: their add answers 403. */
  readonly refusingAdds = new Set<string>();
  /** Called after participants left a group, so senders rotate their keys (see peer-group-send.ts). */
  onRemoved: (group: Group, removed: GroupUser[]) => void = () => {};

  constructor(
    readonly store: GroupStore,
    readonly members: GroupMembers,
    private readonly messaging: Pick<Messaging, 'deliver'>,
    private readonly log: GroupLog,
  ) {}

  find(id: string): Group {
    const group = this.store.get(id);
    if (!group) throw new GroupError(404, 'item-not-found');
    return group;
  }

  /** The group, if `actor` is in it (403 `forbidden` otherwise, as for a group one left). */
  forMember(id: string, actor: GroupUser): Group {
    const group = this.find(id);
    if (!group.participants.has(actor.lid)) throw new GroupError(403, 'forbidden');
    return group;
  }

  forAdmin(id: string, actor: GroupUser): Group {
    const group = this.forMember(id, actor);
    if (!group.participants.get(actor.lid)?.role) throw new GroupError(403, 'forbidden');
    return group;
  }

  /** Group info (subject, description, timer) is open to every member unless the group is locked. */
  forInfoEdit(id: string, actor: GroupUser): Group {
    const group = this.forMember(id, actor);
    return group.locked ? this.forAdmin(id, actor) : group;
  }

  create(actor: GroupUser, subject: string, jids: string[]): { group: Group; results: ParticipantResult[] } {
    if (!subject.trim()) throw new GroupError(400, 'bad-request');
    const group = this.store.create(actor, subject);
    const results = this.admit(group, jids);
    this.notify(group, actor, { tag: 'create', attrs: {}, content: [groupNode(group)] });
    return { group, results };
  }

  participants(
    group: Group,
    actor: GroupUser,
    action: ParticipantAction,
    jids: string[],
  ): ParticipantResult[] {
    const results =
      action === 'add' ? this.admit(group, jids) : jids.map((jid) => this.change(group, action, jid));
    const done = results.filter((r) => r.status === '200' && r.user).map((r) => r.user as GroupUser);
    if (!done.length) return results;
    const change: BinaryNode = { tag: action, attrs: {}, content: done.map(participantNode) };
    this.notify(group, actor, change, action === 'remove' ? done : []);
    if (action === 'remove') this.onRemoved(group, done);
    return results;
  }

  setSubject(group: Group, actor: GroupUser, subject: string): void {
    if (!subject.trim()) throw new GroupError(400, 'bad-request');
    group.subject = subject;
    group.subjectOwner = actor;
    group.subjectTime = unixNow();
    const attrs = { subject, s_o: actor.lid, s_o_pn: actor.pn, s_t: String(group.subjectTime) };
    this.notify(group, actor, { tag: 'subject', attrs });
  }

  /** `body` undefined deletes the description. `id` is the client's new description id. */
  setDescription(group: Group, actor: GroupUser, id: string, body: string | undefined): void {
    group.description = body === undefined ? undefined : { id, body, owner: actor, time: unixNow() };
    const content: BinaryNode[] | undefined =
      body === undefined ? undefined : [{ tag: 'body', attrs: {}, content: Buffer.from(body, 'utf8') }];
    const attrs: Record<string, string> = body === undefined ? { id, delete: 'true' } : { id };
    this.notify(
      group,
      actor,
      content ? { tag: 'description', attrs, content } : { tag: 'description', attrs },
    );
  }

  setting(group: Group, actor: GroupUser, tag: string, expiration = 0): void {
    if (tag === 'announcement' || tag === 'not_announcement') group.announce = tag === 'announcement';
    else if (tag === 'locked' || tag === 'unlocked') group.locked = tag === 'locked';
    else group.ephemeral = tag === 'ephemeral' ? expiration : 0;
    const attrs: Record<string, string> = tag === 'ephemeral' ? { expiration: String(expiration) } : {};
    this.notify(group, actor, { tag, attrs });
  }

  revokeInvite(group: Group, actor: GroupUser): string {
    group.inviteCode = newInviteCode();
    // The new link is shown to admins only, as WhatsApp keeps links from members who cannot share them.
    const admins = [...group.participants.values()].filter((p) => p.role);
    this.notify(group, actor, { tag: 'invite', attrs: { code: group.inviteCode } }, [], admins);
    return group.inviteCode;
  }

  join(actor: GroupUser, code: string): Group {
    const group = this.store.byInviteCode(code);
    if (!group) throw new GroupError(404, 'item-not-found');
    if (group.participants.has(actor.lid)) return group;
    group.participants.set(actor.lid, { ...actor, role: null });
    this.notify(group, actor, { tag: 'add', attrs: { reason: 'invite' }, content: [participantNode(actor)] });
    return group;
  }

  leave(actor: GroupUser, ids: string[]): void {
    for (const id of ids) {
      const group = this.forMember(id, actor);
      group.participants.delete(actor.lid);
      // A group is never left without an admin: WhatsApp promotes the longest-standing member.
      const remaining = [...group.participants.values()];
      const first = remaining[0];
      if (first && !remaining.some((p) => p.role)) first.role = 'admin';
      this.notify(group, actor, { tag: 'remove', attrs: {}, content: [participantNode(actor)] }, [actor]);
      this.onRemoved(group, [actor]);
    }
  }

  /**
   * Writes a `w:gp2` notification to every device of every member, plus `extra` users (those who left):
   * companions get the stanza; a device the simulator plays takes it as delivered (it keeps no group state
   * of its own: the server's is the truth), so tests can see who a change reached.
   */
  notify(
    group: Group,
    actor: GroupUser,
    change: BinaryNode,
    extra: GroupUser[] = [],
    only?: GroupUser[],
  ): void {
    const audience = new Map<string, GroupUser>();
    for (const user of only ?? [...group.participants.values(), ...extra]) audience.set(user.lid, user);
    const node = groupNotification(group, actor, change);
    for (const user of audience.values()) {
      for (const device of this.members.devices(user)) {
        const record = { groupId: group.id, change: change.tag, device: device.kind };
        if (device.kind !== 'companion') {
          this.log.addNotification({ ...record, to: device.jid, written: true, at: Date.now() });
          continue;
        }
        const to = device.companion.jid;
        void this.messaging.deliver(device.companion, node).then((written) => {
          this.log.addNotification({ ...record, to, written, at: Date.now() });
        });
      }
    }
  }

  private admit(group: Group, jids: string[]): ParticipantResult[] {
    return jids.map((jid): ParticipantResult => {
      const user = this.members.user(jid);
      if (!user) return { jid, status: '404' };
      if (group.participants.has(user.lid)) return { jid, status: '409', user };
      if (this.refusingAdds.has(user.lid)) return { jid, status: '403', user };
      group.participants.set(user.lid, { ...user, role: null });
      return { jid, status: '200', user };
    });
  }

  private change(group: Group, action: Exclude<ParticipantAction, 'add'>, jid: string): ParticipantResult {
    const user = this.members.user(jid);
    const participant: GroupParticipant | undefined = user ? group.participants.get(user.lid) : undefined;
    if (!user || !participant) return { jid, status: '404' };
    if (action === 'remove') group.participants.delete(user.lid);
    else if (participant.role !== 'superadmin') participant.role = action === 'promote' ? 'admin' : null;
    return { jid, status: '200', user };
  }
}
