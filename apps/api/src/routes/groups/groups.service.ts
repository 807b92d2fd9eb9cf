import type { Repositories } from '@wagw/db';
import { AppError } from '@wagw/errors';
import {
  type GroupMetadataView,
  groupMetadataView,
  normalizeGroupId,
  type SessionRpcClient,
} from '@wagw/queue';
import type { z } from 'zod';
import { fromSessionRpcError } from '../../lib/session-rpc-errors.js';
import { readContactAddress } from '../contacts/contact-address.js';
import type { SessionService } from '../sessions/sessions.service.js';
import type { participantsBody, participantsResponse, updateGroupBody } from './groups.schemas.js';

export interface GroupsServiceDeps {
  sessions: Pick<SessionService, 'get'>;
  repos: Pick<Repositories, 'groups'>;
  rpc: Pick<SessionRpcClient, 'call'>;
}

const INVITE_LINK = /^(?:https?:\/\/)?chat\.whatsapp\.com\/(?:invite\/)?([A-Za-z0-9]+)\/?(?:\?.*)?$/;
const INVITE_CODE = /^[A-Za-z0-9]{6,64}$/;

/** An invite code as given, or the code in a chat.whatsapp.com link; undefined when it is neither. */
export function readInviteCode(input: string): string | undefined {
  const value = input.trim();
  const code = INVITE_LINK.exec(value)?.[1] ?? value;
  return INVITE_CODE.test(code) ? code : undefined;
}

function groupJidOf(groupId: string): string {
  const jid = normalizeGroupId(groupId);
  // Not a group id at all: it cannot be a group of this session.
  if (!jid)
    throw new AppError('GROUP_NOT_FOUND', `"${groupId}" is not a group id (digits, optionally @g.us)`);
  return jid;
}

/** Participants as user JIDs; every unreadable one is reported at once (400 INVALID_PHONE). */
function memberJids(inputs: readonly string[]): string[] {
  const read = inputs.map(readContactAddress);
  const invalid = read.flatMap((a, index) =>
    a.kind === 'invalid' ? [{ index, number: a.input, reason: a.reason }] : [],
  );
  if (invalid.length > 0) {
    throw new AppError(
      'INVALID_PHONE',
      `not a phone number or user JID: ${invalid.map((i) => JSON.stringify(i.number)).join(', ')}`,
      {
        details: invalid,
      },
    );
  }
  return read.map((a) => (a.kind === 'phone' ? a.jid : a.kind === 'lid' ? a.lid : ''));
}

/**
 * Groups of a session: every change and every `refresh` runs on the owning worker's socket through
 * the session RPC (which also updates the stored copy); plain reads answer from the stored copy.
 */
export function createGroupsService(deps: GroupsServiceDeps) {
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw fromSessionRpcError(err);
    }
  };

  async function stored(sessionId: string, jid: string): Promise<GroupMetadataView | undefined> {
    const row = await deps.repos.groups.get(sessionId, jid);
    const parsed = row && groupMetadataView.safeParse(row.metadata);
    return parsed?.success ? parsed.data : undefined;
  }

  return {
    async list(sessionId: string, refresh: boolean): Promise<GroupMetadataView[]> {
      await deps.sessions.get(sessionId);
      if (refresh) return (await call(() => deps.rpc.call(sessionId, 'groups.list', {}))).groups;
      const rows = await deps.repos.groups.listBySession(sessionId);
      return rows.flatMap((row) => {
        const parsed = groupMetadataView.safeParse(row.metadata);
        return parsed.success ? [parsed.data] : [];
      });
    },

    async get(sessionId: string, groupId: string, refresh: boolean): Promise<GroupMetadataView> {
      await deps.sessions.get(sessionId);
      const groupJid = groupJidOf(groupId);
      const cached = refresh ? undefined : await stored(sessionId, groupJid);
      return cached ?? (await call(() => deps.rpc.call(sessionId, 'groups.get', { groupJid }))).group;
    },

    async create(sessionId: string, subject: string, participants: readonly string[]) {
      await deps.sessions.get(sessionId);
      const members = memberJids(participants);
      return (await call(() => deps.rpc.call(sessionId, 'groups.create', { subject, participants: members })))
        .group;
    },

    async update(sessionId: string, groupId: string, body: z.infer<typeof updateGroupBody>) {
      await deps.sessions.get(sessionId);
      const groupJid = groupJidOf(groupId);
      const { settings } = body;
      const params = {
        groupJid,
        ...(body.subject !== undefined ? { subject: body.subject } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(settings?.announce !== undefined ? { announce: settings.announce } : {}),
        ...(settings?.locked !== undefined ? { locked: settings.locked } : {}),
        ...(settings?.ephemeral !== undefined ? { ephemeralSeconds: settings.ephemeral } : {}),
      };
      return (await call(() => deps.rpc.call(sessionId, 'groups.update', params))).group;
    },

    async participants(
      sessionId: string,
      groupId: string,
      body: z.infer<typeof participantsBody>,
    ): Promise<z.infer<typeof participantsResponse>> {
      await deps.sessions.get(sessionId);
      const groupJid = groupJidOf(groupId);
      const members = memberJids(body.participants);
      const { results } = await call(() =>
        deps.rpc.call(sessionId, 'groups.participants', {
          groupJid,
          action: body.action,
          participants: members,
        }),
      );
      // WhatsApp answers one node per participant, in order; it may name a person by the other
      // address form (a LID for a number), so a name match wins and the position is the fallback.
      const byJid = new Map(results.map((r) => [r.jid, r]));
      return {
        results: body.participants.map((participant, i) => {
          const answer = byJid.get(members[i] ?? '') ?? results[i];
          const status = answer?.status ?? 500;
          return { participant, jid: answer?.jid ?? members[i] ?? '', status, ok: status === 200 };
        }),
      };
    },

    async invite(sessionId: string, groupId: string, revoke: boolean) {
      await deps.sessions.get(sessionId);
      const groupJid = groupJidOf(groupId);
      const { code } = await call(() =>
        deps.rpc.call(sessionId, revoke ? 'groups.revokeInvite' : 'groups.inviteCode', { groupJid }),
      );
      return { code, link: `https://chat.whatsapp.com/${code}` };
    },

    async join(sessionId: string, input: string) {
      await deps.sessions.get(sessionId);
      const code = readInviteCode(input);
      if (!code)
        throw new AppError('GROUP_INVITE_INVALID', 'not an invite code or https://chat.whatsapp.com/ link');
      return { groupId: (await call(() => deps.rpc.call(sessionId, 'groups.join', { code }))).groupJid };
    },

    async leave(sessionId: string, groupId: string) {
      await deps.sessions.get(sessionId);
      const groupJid = groupJidOf(groupId);
      await call(() => deps.rpc.call(sessionId, 'groups.leave', { groupJid }));
      return { left: true as const, groupId: groupJid };
    },
  };
}

export type GroupsService = ReturnType<typeof createGroupsService>;
