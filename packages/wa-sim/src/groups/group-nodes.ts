import { randomBytes } from 'node:crypto';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { Group, GroupParticipant, GroupUser } from './group-model.js';
import { unixNow } from './group-model.js';

/** The user part of a group id: the server's answers spell the `<group id>` without `@g.us`. */
function groupUserPart(id: string): string {
  return id.replace(/@g\.us$/, '');
}

/** `<participant jid=LID phone_number=PN [type=admin|superadmin]/>`, as LID-addressed groups list members. */
export function participantNode(participant: GroupParticipant | GroupUser): BinaryNode {
  const attrs: Record<string, string> = { jid: participant.lid, phone_number: participant.pn };
  if ('role' in participant && participant.role) attrs.type = participant.role;
  return { tag: 'participant', attrs };
}

/**
 * `<group>` as the metadata query, `create` and `participating` answer it (Baileys' `extractGroupMetadata`):
 * subject with owner and time, creator, creation, `addressing_mode="lid"`, participants with roles, the
 * description and the settings as child tags. `withParticipants: false` for the participating list's
 * lighter form is not used: Baileys always asks for participants.
 */
export function groupNode(group: Group): BinaryNode {
  const content: BinaryNode[] = [...group.participants.values()].map(participantNode);
  if (group.description) {
    const { id, body, owner, time } = group.description;
    content.push({
      tag: 'description',
      attrs: { id, t: String(time), participant: owner.lid, participant_pn: owner.pn },
      content: [{ tag: 'body', attrs: {}, content: Buffer.from(body, 'utf8') }],
    });
  }
  if (group.announce) content.push({ tag: 'announcement', attrs: {} });
  if (group.locked) content.push({ tag: 'locked', attrs: {} });
  if (group.ephemeral) content.push({ tag: 'ephemeral', attrs: { expiration: String(group.ephemeral) } });
  return {
    tag: 'group',
    attrs: {
      id: groupUserPart(group.id),
      subject: group.subject,
      s_o: group.subjectOwner.lid,
      s_o_pn: group.subjectOwner.pn,
      s_t: String(group.subjectTime),
      creation: String(group.creation),
      creator: group.creator.lid,
      creator_pn: group.creator.pn,
      size: String(group.participants.size),
      addressing_mode: 'lid',
    },
    content,
  };
}

/**
 * `<notification type="w:gp2" from=group participant=actor …>` carrying one change; Baileys' handleGroupNotification
 * turns it into a stub message and `groups.update` / `group-participants.update` / `groups.upsert`.
 */
export function groupNotification(group: Group, actor: GroupUser, change: BinaryNode): BinaryNode {
  return {
    tag: 'notification',
    attrs: {
      from: group.id,
      type: 'w:gp2',
      id: String(randomBytes(4).readUInt32BE()),
      t: String(unixNow()),
      participant: actor.lid,
      participant_pn: actor.pn,
      addressing_mode: 'lid',
      notify: actor.name,
    },
    content: [change],
  };
}
