import { Boom } from '@hapi/boom';
import { type GroupMetadataView, SessionRpcError } from '@wagw/queue';
import type { GroupMetadata, WASocket } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { groupFailure, joinFailure } from './group-errors.js';
import { createGroupMethods } from './group-methods.js';

/** What Baileys' query throws for an IQ `<error code=…/>` (assertNodeErrorFree). */
const iqError = (code: number, text: string) => new Boom(text, { data: code });

const GROUP = '120363000000000001@g.us';
const node = { tag: 'participant', attrs: {} };
const meta: GroupMetadata = {
  id: GROUP,
  subject: 'Team',
  owner: '100001@lid',
  ownerPn: '15550000001@s.whatsapp.net',
  creation: 1_765_000_000,
  restrict: true,
  addressingMode: 'lid' as GroupMetadata['addressingMode'],
  participants: [
    { id: '100001@lid', phoneNumber: '15550000001@s.whatsapp.net', admin: 'superadmin' },
    { id: '100002@lid', admin: null },
  ],
};

function setup(sock: Partial<WASocket>) {
  const saved: string[] = [];
  const left: string[] = [];
  const methods = createGroupMethods({
    saved: async (_s, groups) => {
      saved.push(...groups.map((g) => g.subject));
    },
    left: async (_s, jid) => {
      left.push(jid);
    },
  });
  const ctx = { session: { sessionId: 's1', sock: sock as WASocket }, signal: new AbortController().signal };
  return { methods, ctx, saved, left };
}

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (err) => (err instanceof SessionRpcError ? err.code : `other: ${String(err)}`),
  );

describe('group errors', () => {
  it('404 and 403 mean not in the group; 403 after a membership check means not an admin', () => {
    expect(groupFailure(iqError(404, 'item-not-found'), 'q').code).toBe('GROUP_NOT_FOUND');
    expect(groupFailure(iqError(403, 'forbidden'), 'q').code).toBe('GROUP_NOT_FOUND');
    expect(groupFailure(iqError(403, 'forbidden'), 'q', 'not-admin').code).toBe('GROUP_NOT_ADMIN');
    expect(groupFailure(iqError(500, 'internal'), 'q').code).toBe('WHATSAPP_QUERY_FAILED');
    expect(groupFailure(new Boom('Connection Closed', { statusCode: 428 }), 'q').code).toBe(
      'SESSION_NOT_OPEN',
    );
  });

  it('a refused join code is GROUP_INVITE_INVALID, a timeout is not', () => {
    for (const code of [400, 404, 406, 410])
      expect(joinFailure(iqError(code, 'x')).code).toBe('GROUP_INVITE_INVALID');
    expect(joinFailure(new Boom('Timed Out', { statusCode: 408 })).code).toBe('WHATSAPP_QUERY_FAILED');
  });
});

describe('group methods', () => {
  it('get: the view with settings by name, participants with both address forms, stored', async () => {
    const { methods, ctx, saved } = setup({ groupMetadata: async () => meta });
    const { group } = (await methods['groups.get']({ groupJid: GROUP }, ctx)) as { group: GroupMetadataView };
    expect(group).toMatchObject({
      id: GROUP,
      owner: '15550000001@s.whatsapp.net',
      createdAt: new Date(1_765_000_000_000).toISOString(),
      locked: true,
      announce: false,
      addressingMode: 'lid',
      size: 2,
      participants: [
        { jid: '100001@lid', phoneJid: '15550000001@s.whatsapp.net', lid: '100001@lid', admin: 'superadmin' },
        { jid: '100002@lid', phoneJid: null, lid: '100002@lid', admin: null },
      ],
    });
    expect(saved).toEqual(['Team']);
  });

  it('an admin change refused with 403: GROUP_NOT_ADMIN when still a member, GROUP_NOT_FOUND when not', async () => {
    const forbidden = async () => {
      throw iqError(403, 'forbidden');
    };
    const member = setup({ groupUpdateSubject: forbidden, groupMetadata: async () => meta });
    expect(await codeOf(member.methods['groups.update']({ groupJid: GROUP, subject: 'x' }, member.ctx))).toBe(
      'GROUP_NOT_ADMIN',
    );
    const stranger = setup({ groupUpdateSubject: forbidden, groupMetadata: forbidden });
    expect(
      await codeOf(stranger.methods['groups.update']({ groupJid: GROUP, subject: 'x' }, stranger.ctx)),
    ).toBe('GROUP_NOT_FOUND');
  });

  it('update applies each setting with its Baileys call, then answers the group as it is now', async () => {
    const done: string[] = [];
    const { methods, ctx } = setup({
      groupUpdateSubject: async (_j, s) => void done.push(`subject ${s}`),
      groupUpdateDescription: async (_j, d) => void done.push(`description ${d}`),
      groupSettingUpdate: async (_j, s) => void done.push(s),
      groupToggleEphemeral: async (_j, e) => void done.push(`ephemeral ${e}`),
      groupMetadata: async () => meta,
    });
    await methods['groups.update'](
      {
        groupJid: GROUP,
        subject: 'S',
        description: '',
        announce: true,
        locked: false,
        ephemeralSeconds: 86400,
      },
      ctx,
    );
    expect(done).toEqual([
      'subject S',
      'description undefined',
      'announcement',
      'unlocked',
      'ephemeral 86400',
    ]);
  });

  it('participants: WhatsApp statuses per participant as numbers', async () => {
    const { methods, ctx } = setup({
      groupParticipantsUpdate: async () => [
        { status: '200', jid: '15550000003@s.whatsapp.net', content: node },
        { status: '409', jid: '15550000004@s.whatsapp.net', content: node },
      ],
      groupMetadata: async () => meta,
    });
    const { results } = (await methods['groups.participants'](
      {
        groupJid: GROUP,
        action: 'add',
        participants: ['15550000003@s.whatsapp.net', '15550000004@s.whatsapp.net'],
      },
      ctx,
    )) as { results: unknown[] };
    expect(results).toEqual([
      { jid: '15550000003@s.whatsapp.net', status: 200 },
      { jid: '15550000004@s.whatsapp.net', status: 409 },
    ]);
  });

  it('leave forgets the stored group; a leave of a group not joined is GROUP_NOT_FOUND', async () => {
    const ok = setup({ groupLeave: async () => undefined });
    await ok.methods['groups.leave']({ groupJid: GROUP }, ok.ctx);
    expect(ok.left).toEqual([GROUP]);
    const no = setup({
      groupLeave: async () => {
        throw iqError(404, 'item-not-found');
      },
    });
    expect(await codeOf(no.methods['groups.leave']({ groupJid: GROUP }, no.ctx))).toBe('GROUP_NOT_FOUND');
  });
});
