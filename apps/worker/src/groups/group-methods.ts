import type { OutboxEvent } from '@wagw/db';
import type { GroupMetadataView, SessionRpcHandlers } from '@wagw/queue';
import { SessionRpcError } from '@wagw/queue';
import type { WASocket } from '@whiskeysockets/baileys';
import { queryStatus } from '../contacts/query-errors.js';
import type { RpcSession } from '../contacts/session-methods.js';
import { groupFailure, joinFailure } from './group-errors.js';
import { toGroupView } from './group-view.js';

type GroupHandlers = Pick<
  SessionRpcHandlers<RpcSession>,
  | 'groups.list'
  | 'groups.get'
  | 'groups.create'
  | 'groups.update'
  | 'groups.participants'
  | 'groups.inviteCode'
  | 'groups.revokeInvite'
  | 'groups.join'
  | 'groups.leave'
>;

/** Where fetched group metadata goes, so later reads and sends need not ask WhatsApp. */
export interface GroupMetadataSink {
  /** `events` (event outbox) are written in the same transaction as the groups. */
  saved(
    sessionId: string,
    groups: readonly GroupMetadataView[],
    events?: readonly OutboxEvent[],
  ): Promise<void>;
  left(sessionId: string, groupJid: string, events?: readonly OutboxEvent[]): Promise<void>;
}

async function fetchGroup(sock: WASocket, groupJid: string): Promise<GroupMetadataView> {
  try {
    return toGroupView(await sock.groupMetadata(groupJid));
  } catch (err) {
    throw groupFailure(err, 'group query');
  }
}

/**
 * Runs a change that needs admin rights. WhatsApp refuses both a non-member and a non-admin with
 * 403, so a refusal is followed by a metadata query: if that one works, the account is a member
 * without admin rights (GROUP_NOT_ADMIN); if not, it is not in the group (GROUP_NOT_FOUND).
 */
async function adminOp<T>(sock: WASocket, groupJid: string, what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (queryStatus(err) !== 403) throw groupFailure(err, what);
    await fetchGroup(sock, groupJid);
    throw groupFailure(err, what, 'not-admin');
  }
}

function requireCode(code: string | undefined): { code: string } {
  if (!code) throw new SessionRpcError('WHATSAPP_QUERY_FAILED', 'WhatsApp answered without an invite code');
  return { code };
}

/** The worker's group operations of the session RPC, each a Baileys group IQ on the session's socket. */
export function createGroupMethods(sink: GroupMetadataSink): GroupHandlers {
  const keep = async (sessionId: string, group: GroupMetadataView) => {
    await sink.saved(sessionId, [group]);
    return { group };
  };
  return {
    'groups.list': async (_params, { session }) => {
      let all: Awaited<ReturnType<WASocket['groupFetchAllParticipating']>>;
      try {
        all = await session.sock.groupFetchAllParticipating();
      } catch (err) {
        throw groupFailure(err, 'group list query');
      }
      const groups = Object.values(all).map(toGroupView);
      await sink.saved(session.sessionId, groups);
      return { groups };
    },

    'groups.get': async ({ groupJid }, { session }) =>
      keep(session.sessionId, await fetchGroup(session.sock, groupJid)),

    'groups.create': async ({ subject, participants }, { session }) => {
      try {
        return await keep(
          session.sessionId,
          toGroupView(await session.sock.groupCreate(subject, participants)),
        );
      } catch (err) {
        throw groupFailure(err, 'group creation');
      }
    },

    'groups.update': async (params, { session }) => {
      const { sock } = session;
      const jid = params.groupJid;
      await adminOp(sock, jid, 'group update', async () => {
        if (params.subject !== undefined) await sock.groupUpdateSubject(jid, params.subject);
        if (params.description !== undefined)
          await sock.groupUpdateDescription(jid, params.description || undefined);
        if (params.announce !== undefined) {
          await sock.groupSettingUpdate(jid, params.announce ? 'announcement' : 'not_announcement');
        }
        if (params.locked !== undefined)
          await sock.groupSettingUpdate(jid, params.locked ? 'locked' : 'unlocked');
        if (params.ephemeralSeconds !== undefined)
          await sock.groupToggleEphemeral(jid, params.ephemeralSeconds);
      });
      return keep(session.sessionId, await fetchGroup(sock, jid));
    },

    'groups.participants': async ({ groupJid, action, participants }, { session }) => {
      const answers = await adminOp(session.sock, groupJid, `participant ${action}`, () =>
        session.sock.groupParticipantsUpdate(groupJid, participants, action),
      );
      // The stored metadata is stale now; the next read (or the group event) refreshes it.
      await sink.saved(session.sessionId, [await fetchGroup(session.sock, groupJid)]).catch(() => undefined);
      return { results: answers.map((a) => ({ jid: a.jid ?? '', status: Number(a.status) || 500 })) };
    },

    'groups.inviteCode': async ({ groupJid }, { session }) =>
      requireCode(
        await adminOp(session.sock, groupJid, 'invite code query', () =>
          session.sock.groupInviteCode(groupJid),
        ),
      ),

    'groups.revokeInvite': async ({ groupJid }, { session }) =>
      requireCode(
        await adminOp(session.sock, groupJid, 'invite revocation', () =>
          session.sock.groupRevokeInvite(groupJid),
        ),
      ),

    'groups.join': async ({ code }, { session }) => {
      let groupJid: string | undefined;
      try {
        groupJid = await session.sock.groupAcceptInvite(code);
      } catch (err) {
        throw joinFailure(err);
      }
      if (!groupJid)
        throw new SessionRpcError('WHATSAPP_QUERY_FAILED', 'WhatsApp answered the join without a group');
      await sink.saved(session.sessionId, [await fetchGroup(session.sock, groupJid)]).catch(() => undefined);
      return { groupJid };
    },

    'groups.leave': async ({ groupJid }, { session }) => {
      try {
        await session.sock.groupLeave(groupJid);
      } catch (err) {
        throw groupFailure(err, 'leave');
      }
      await sink.left(session.sessionId, groupJid);
      return { left: true as const };
    },
  };
}
