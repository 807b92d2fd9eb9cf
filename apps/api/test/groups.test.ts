import {
  createConsumerConnection,
  type GroupMetadataView,
  redisKeys,
  SessionRpcError,
  type SessionRpcHandlers,
  startSessionRpcServer,
} from '@wagw/queue';
import { redisUrl } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInviteCode } from '../src/routes/groups/groups.service.js';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

let t: TestApp;
let sessionId: string;
let stop: () => Promise<void>;
const calls: string[] = [];
const GROUP = '120363000000000001@g.us';
const NOT_ADMIN = '120363000000000002@g.us';

const group = (subject: string, id = GROUP): GroupMetadataView => ({
  id,
  subject,
  description: null,
  owner: '15550000001@s.whatsapp.net',
  createdAt: '2026-12-05T20:00:00.000Z',
  announce: false,
  locked: false,
  ephemeralSeconds: null,
  addressingMode: 'lid',
  size: 2,
  participants: [
    { jid: '100001@lid', phoneJid: '15550000001@s.whatsapp.net', lid: '100001@lid', admin: 'superadmin' },
    { jid: '100002@lid', phoneJid: '15550000002@s.whatsapp.net', lid: '100002@lid', admin: null },
  ],
});

/** The owning worker's group methods, answered the way apps/worker/src/groups answers them. */
const handlers: Partial<SessionRpcHandlers<string>> = {
  'groups.get': async ({ groupJid }) => {
    calls.push(`get ${groupJid}`);
    if (groupJid !== GROUP && groupJid !== NOT_ADMIN)
      throw new SessionRpcError('GROUP_NOT_FOUND', 'the session is not in this group');
    return { group: group('From WhatsApp', groupJid) };
  },
  'groups.update': async (params) => {
    calls.push(`update ${JSON.stringify(params)}`);
    if (params.groupJid === NOT_ADMIN) throw new SessionRpcError('GROUP_NOT_ADMIN', 'needs admin rights');
    return { group: { ...group(params.subject ?? 'x'), announce: params.announce ?? false } };
  },
  'groups.participants': async ({ participants }) => ({
    // WhatsApp names the second one by its LID: the answer still lines up with the request.
    results: participants.map((jid, i) => ({
      jid: i === 1 ? '100009@lid' : jid,
      status: i === 0 ? 200 : 403,
    })),
  }),
  'groups.join': async ({ code }) => {
    calls.push(`join ${code}`);
    if (code !== 'AbCdEf123456') throw new SessionRpcError('GROUP_INVITE_INVALID', 'unknown code');
    return { groupJid: GROUP };
  },
  'groups.revokeInvite': async () => ({ code: 'NewCode999999' }),
};

beforeAll(async () => {
  t = await createTestApp();
  sessionId = (await t.db.repos.sessions.create({ name: 'groups-api' })).id;
  await t.redis.set(redisKeys(t.prefix).lease(sessionId), 'w-groups-test|1', 'PX', 60_000);
  const worker = startSessionRpcServer<string>({
    connection: createConsumerConnection(redisUrl()),
    redis: t.redis,
    prefix: t.prefix,
    workerId: 'w-groups-test',
    logger: { warn: () => {}, debug: () => {} },
    resolveSession: (id) => id,
    handlers,
  });
  stop = () => worker.close();
});
afterAll(async () => {
  await stop?.();
  await t.close();
});

const api = (method: 'GET' | 'POST' | 'PATCH', path: string, payload?: object) =>
  t.app.inject({
    method,
    url: `/api/sessions/${sessionId}${path}`,
    headers: AUTH,
    ...(payload ? { payload } : {}),
  });

describe('groups routes', () => {
  it('GET reads the stored copy, ?refresh=true asks the worker; ids with or without @g.us', async () => {
    await t.db.repos.groups.upsertMany(sessionId, [
      { jid: GROUP, subject: 'Stored', metadata: group('Stored') },
    ]);
    calls.length = 0;
    const stored = await api('GET', '/groups/120363000000000001');
    expect([stored.statusCode, stored.json().group.subject]).toEqual([200, 'Stored']);
    expect(calls).toEqual([]);
    const fresh = await api('GET', `/groups/${GROUP}?refresh=true`);
    expect([fresh.statusCode, fresh.json().group.subject]).toEqual([200, 'From WhatsApp']);
    expect(calls).toEqual([`get ${GROUP}`]);
    const list = await api('GET', '/groups');
    expect(list.json().items.map((g: GroupMetadataView) => g.id)).toEqual([GROUP]);
  });

  it('404 GROUP_NOT_FOUND for a group the session is not in, and for what is not a group id', async () => {
    const missing = await api('GET', '/groups/120363999999999999@g.us');
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'GROUP_NOT_FOUND']);
    const notAnId = await api('GET', '/groups/hello');
    expect([notAnId.statusCode, notAnId.json().code]).toEqual([404, 'GROUP_NOT_FOUND']);
  });

  it('PATCH maps settings to the worker call; 403 GROUP_NOT_ADMIN when not an admin; 400 for nothing', async () => {
    const ok = await api('PATCH', `/groups/${GROUP}`, { subject: 'Renamed', settings: { announce: true } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().group).toMatchObject({ subject: 'Renamed', announce: true });
    expect(calls.at(-1)).toBe(
      `update ${JSON.stringify({ groupJid: GROUP, subject: 'Renamed', announce: true })}`,
    );
    const refused = await api('PATCH', '/groups/120363000000000002', { subject: 'x' });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'GROUP_NOT_ADMIN']);
    expect((await api('PATCH', `/groups/${GROUP}`, {})).statusCode).toBe(400);
  });

  it('participants: the request succeeds with a status per participant, in request order', async () => {
    const res = await api('POST', `/groups/${GROUP}/participants`, {
      action: 'add',
      participants: ['+1 555 000 0003', '15550000004@s.whatsapp.net'],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([
      { participant: '+1 555 000 0003', jid: '15550000003@s.whatsapp.net', status: 200, ok: true },
      { participant: '15550000004@s.whatsapp.net', jid: '100009@lid', status: 403, ok: false },
    ]);
    const bad = await api('POST', `/groups/${GROUP}/participants`, { action: 'add', participants: ['nope'] });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'INVALID_PHONE']);
  });

  it('join by code or link; an unknown code is 404 GROUP_INVITE_INVALID; revoke answers the new link', async () => {
    const byLink = await api('POST', '/groups/join', { code: 'https://chat.whatsapp.com/AbCdEf123456' });
    expect(byLink.json()).toEqual({ groupId: GROUP });
    const unknown = await api('POST', '/groups/join', { code: 'Zzzzzz999999' });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'GROUP_INVITE_INVALID']);
    const garbage = await api('POST', '/groups/join', { code: 'not a code!' });
    expect([garbage.statusCode, garbage.json().code]).toEqual([404, 'GROUP_INVITE_INVALID']);
    const revoked = await api('POST', `/groups/${GROUP}/invite`);
    expect(revoked.json()).toEqual({
      code: 'NewCode999999',
      link: 'https://chat.whatsapp.com/NewCode999999',
    });
  });

  it('a method this worker lacks is 501 SESSION_METHOD_UNSUPPORTED (an older worker mid-rollout)', async () => {
    const res = await api('POST', `/groups/${GROUP}/leave`);
    expect([res.statusCode, res.json().code]).toEqual([501, 'SESSION_METHOD_UNSUPPORTED']);
  });

  it('readInviteCode takes a code or a chat.whatsapp.com link', () => {
    expect(readInviteCode(' AbCdEf123456 ')).toBe('AbCdEf123456');
    expect(readInviteCode('chat.whatsapp.com/AbCdEf123456')).toBe('AbCdEf123456');
    expect(readInviteCode('https://chat.whatsapp.com/invite/AbCdEf123456?x=1')).toBe('AbCdEf123456');
    expect(readInviteCode('https://example.com/AbCdEf123456')).toBeUndefined();
  });
});
