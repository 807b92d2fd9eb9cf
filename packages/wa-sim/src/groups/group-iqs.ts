import type { BinaryNode } from '@whiskeysockets/baileys';
import { bytes, child, children, iqError, iqResult } from '../router/iq-replies.js';
import type { StanzaRouter } from '../router/stanza-router.js';
import type { SimConnection } from '../server/connection.js';
import type { GroupLog } from './group-log.js';
import { type GroupUser, newInviteCode } from './group-model.js';
import { groupNode } from './group-nodes.js';
import { GroupError, type GroupOps, type ParticipantAction, type ParticipantResult } from './group-ops.js';

type GroupIq = (actor: GroupUser, iq: BinaryNode, conn: SimConnection) => BinaryNode;

const SETTINGS = ['announcement', 'not_announcement', 'locked', 'unlocked', 'ephemeral', 'not_ephemeral'];
const ACTIONS: ParticipantAction[] = ['add', 'remove', 'promote', 'demote'];

/**
 * The `w:g2` IQs as Baileys rc14 sends them (Socket/groups.js): the group is `to` (or `@g.us` for create,
 * participating, join and leave), the operation the first child. Refusals are `<error code text/>`.
 */
export function installGroupIqs(router: StanzaRouter, ops: GroupOps, log: GroupLog): void {
  const handle = (key: string, kind: string | ((iq: BinaryNode) => string), fn: GroupIq) =>
    router.on(`w:g2/${key}`, (conn, iq) => {
      log.countIq(typeof kind === 'string' ? kind : kind(iq));
      const account = conn.companion?.account;
      if (!account) return iqError(iq, 401, 'not-authorized');
      try {
        return fn(ops.members.ofAccount(account), iq, conn);
      } catch (error) {
        if (error instanceof GroupError) return iqError(iq, error.code, error.text);
        throw error;
      }
    });
  const to = (iq: BinaryNode) => iq.attrs.to ?? '';

  handle('set/create', 'create', (actor, iq) => {
    const create = child(iq, 'create');
    const jids = children(create, 'participant').map((p) => p.attrs.jid ?? '');
    const { group } = ops.create(actor, create?.attrs.subject ?? '', jids);
    return iqResult(iq, [groupNode(group)]);
  });
  handle('get/query', 'query', (actor, iq) => iqResult(iq, [groupNode(ops.forMember(to(iq), actor))]));
  handle('get/participating', 'participating', (actor, iq) => {
    const groups = ops.store.participating(actor.lid).map(groupNode);
    return iqResult(iq, [{ tag: 'groups', attrs: {}, content: groups }]);
  });
  for (const action of ACTIONS) {
    handle(`set/${action}`, action, (actor, iq) => {
      const group = ops.forAdmin(to(iq), actor);
      const jids = children(child(iq, action), 'participant').map((p) => p.attrs.jid ?? '');
      const results = ops.participants(group, actor, action, jids);
      return iqResult(iq, [{ tag: action, attrs: {}, content: results.map(resultNode) }]);
    });
  }
  handle('set/subject', 'subject', (actor, iq) => {
    ops.setSubject(ops.forInfoEdit(to(iq), actor), actor, bytes(child(iq, 'subject')).toString('utf8'));
    return iqResult(iq);
  });
  handle('set/description', 'description', (actor, iq) => {
    const node = child(iq, 'description');
    const group = ops.forInfoEdit(to(iq), actor);
    const remove = node?.attrs.delete === 'true';
    const id = node?.attrs.id ?? group.description?.id ?? '';
    ops.setDescription(group, actor, id, remove ? undefined : bytes(child(node, 'body')).toString('utf8'));
    return iqResult(iq);
  });
  for (const tag of SETTINGS) {
    handle(`set/${tag}`, tag, (actor, iq) => {
      const ephemeral = tag === 'ephemeral' || tag === 'not_ephemeral';
      const group = ephemeral ? ops.forInfoEdit(to(iq), actor) : ops.forAdmin(to(iq), actor);
      ops.setting(group, actor, tag, Number(child(iq, tag)?.attrs.expiration ?? 0));
      return iqResult(iq);
    });
  }
  handle('get/invite', 'invite', (actor, iq) => {
    const group = ops.forAdmin(to(iq), actor);
    return iqResult(iq, [{ tag: 'invite', attrs: { code: group.inviteCode } }]);
  });
  // One key for two operations: revoke (`to` = the group) and join by code (`to` = `@g.us`, `code` set).
  handle(
    'set/invite',
    (iq) => (child(iq, 'invite')?.attrs.code ? 'join' : 'revoke'),
    (actor, iq) => {
      const code = child(iq, 'invite')?.attrs.code;
      if (code) {
        const group = ops.join(actor, code);
        return iqResult(iq, [{ tag: 'group', attrs: { jid: group.id } }]);
      }
      const group = ops.forAdmin(to(iq), actor);
      return iqResult(iq, [{ tag: 'invite', attrs: { code: ops.revokeInvite(group, actor) } }]);
    },
  );
  handle('set/leave', 'leave', (actor, iq) => {
    const ids = children(child(iq, 'leave'), 'group').map((g) => g.attrs.id ?? '');
    ops.leave(actor, ids);
    return iqResult(iq, [
      { tag: 'leave', attrs: {}, content: ids.map((id) => ({ tag: 'group', attrs: { id } })) },
    ]);
  });
}

/** `<participant jid [error]>`; a privacy refusal carries the invite WhatsApp offers instead (`add_request`). */
function resultNode(result: ParticipantResult): BinaryNode {
  if (result.status === '200') {
    const attrs: Record<string, string> = { jid: result.jid };
    if (result.user) Object.assign(attrs, { lid: result.user.lid, phone_number: result.user.pn });
    return { tag: 'participant', attrs };
  }
  const attrs = { jid: result.jid, error: result.status };
  if (result.status !== '403') return { tag: 'participant', attrs };
  const expiration = String(Math.floor(Date.now() / 1000) + 3 * 24 * 3600);
  const request: BinaryNode = { tag: 'add_request', attrs: { code: newInviteCode(), expiration } };
  return { tag: 'participant', attrs, content: [request] };
}
