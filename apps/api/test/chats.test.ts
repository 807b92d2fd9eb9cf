import { FOREVER_MUTED, hashApiKey } from '@wagw/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

let t: TestApp;
let own: string;
let other: string;
const KEY = 'chats-session-key-0123456789';
const BOB = '15550001111@s.whatsapp.net';
const BOB_LID = '900000000000001@lid';
const GROUP = '120363000000000001@g.us';
const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s));

beforeAll(async () => {
  t = await createTestApp();
  own = (await t.db.repos.sessions.create({ name: 'chats-own' })).id;
  other = (await t.db.repos.sessions.create({ name: 'chats-other' })).id;
  await t.db.repos.apiKeys.create({
    name: 'own',
    keyHash: hashApiKey(KEY),
    prefix: KEY.slice(0, 8),
    sessionId: own,
  });
  await t.db.repos.chats.applyMany(own, [
    {
      jid: BOB,
      lid: BOB_LID,
      name: 'Bob',
      unread: { set: 2 },
      lastMessage: { waMessageId: '3AB1', preview: 'see you', at: at(30), direction: 'inbound' },
    },
    { jid: GROUP, name: 'Team', archived: true, mutedUntil: FOREVER_MUTED, activityAt: at(20) },
    {
      jid: '15550002222@s.whatsapp.net',
      mutedUntil: new Date('2999-01-01T00:00:00.000Z'),
      lastMessage: { waMessageId: '3AB2', preview: 'hi', at: at(10), direction: 'outbound' },
    },
  ]);
  await t.db.repos.chats.applyMany(other, [{ jid: BOB, name: 'Not yours' }]);
  // Bob's messages under both his addresses, one of another chat, and one of another session.
  for (const [i, [sessionId, remoteJid]] of [
    [own, BOB],
    [own, BOB_LID],
    [own, '15550002222@s.whatsapp.net'],
    [other, BOB],
    [own, BOB],
  ].entries()) {
    await t.db.repos.messages.insert({
      sessionId: sessionId as string,
      direction: i % 2 ? 'outbound' : 'inbound',
      waMessageId: `W${i}`,
      remoteJid: remoteJid as string,
      type: 'text',
      payload: { text: `m${i}` },
    });
  }
});
afterAll(() => t.close());

const get = (url: string, headers: Record<string, string> = AUTH) =>
  t.app.inject({ method: 'GET', url, headers });

describe('GET /api/sessions/:id/chats', () => {
  it('lists chats by latest activity with their last message, counts and flags', async () => {
    const res = await get(`/api/sessions/${own}/chats`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.nextCursor).toBeNull();
    expect(body.items.map((c: { id: string }) => c.id)).toEqual([BOB, GROUP, '15550002222@s.whatsapp.net']);
    expect(body.items[0]).toEqual({
      id: BOB,
      type: 'user',
      jid: BOB,
      lid: BOB_LID,
      name: 'Bob',
      lastMessage: {
        waMessageId: '3AB1',
        preview: 'see you',
        timestamp: at(30).toISOString(),
        direction: 'inbound',
      },
      unreadCount: 2,
      archived: false,
      muted: false,
      mutedUntil: null,
      updatedAt: expect.any(String),
    });
    expect(body.items[1]).toMatchObject({
      type: 'group',
      archived: true,
      muted: true,
      mutedUntil: null,
      lastMessage: null,
    });
    expect(body.items[2]).toMatchObject({ muted: true, mutedUntil: '2999-01-01T00:00:00.000Z' });
  });

  it('pages with an opaque cursor and filters archived chats', async () => {
    const first = (await get(`/api/sessions/${own}/chats?limit=2`)).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await get(`/api/sessions/${own}/chats?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second).toMatchObject({ items: [{ id: '15550002222@s.whatsapp.net' }], nextCursor: null });
    const archived = (await get(`/api/sessions/${own}/chats?archived=true`)).json();
    expect(archived.items.map((c: { id: string }) => c.id)).toEqual([GROUP]);
    const live = (await get(`/api/sessions/${own}/chats?archived=false`)).json();
    expect(live.items).toHaveLength(2);

    const bad = await get(`/api/sessions/${own}/chats?cursor=not-a-cursor`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'INVALID_CURSOR', requestId: expect.any(String) });
    expect((await get(`/api/sessions/${own}/chats?limit=0`)).json().code).toBe('VALIDATION_FAILED');
  });

  it('answers 404 SESSION_NOT_FOUND for an unknown session', async () => {
    const res = await get('/api/sessions/no-such-session/chats');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('SESSION_NOT_FOUND');
  });

  it('lets a session key see its own session only', async () => {
    const mine = await get(`/api/sessions/${own}/chats`, { 'x-api-key': KEY });
    expect(mine.statusCode).toBe(200);
    const theirs = await get(`/api/sessions/${other}/chats`, { 'x-api-key': KEY });
    expect(theirs.statusCode).toBe(403);
    expect(theirs.json().code).toBe('FORBIDDEN');
    expect((await get(`/api/sessions/${other}/chats/${BOB}/messages`, { 'x-api-key': KEY })).statusCode).toBe(
      403,
    );
    expect((await get(`/api/sessions/${own}/chats`, {})).statusCode).toBe(401);
  });
});

describe('GET /api/sessions/:id/chats/:chatId', () => {
  it('finds a chat by phone number, JID, LID or group id; 404 CHAT_NOT_FOUND otherwise', async () => {
    for (const id of ['+1 555 000 1111', '15550001111', BOB, BOB_LID]) {
      const res = await get(`/api/sessions/${own}/chats/${encodeURIComponent(id)}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: BOB, name: 'Bob' });
    }
    expect((await get(`/api/sessions/${own}/chats/${GROUP}`)).json()).toMatchObject({
      id: GROUP,
      name: 'Team',
    });
    const missing = await get(`/api/sessions/${own}/chats/15559999999`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('CHAT_NOT_FOUND');
    const invalid = await get(`/api/sessions/${own}/chats/hello`);
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().code).toBe('INVALID_CHAT_ID');
    expect((await get(`/api/sessions/${own}/chats/abc@g.us`)).json().code).toBe('INVALID_CHAT_ID');
  });
});

describe('GET /api/sessions/:id/chats/:chatId/messages', () => {
  it("lists the chat's messages under all its addresses, newest first, a page at a time", async () => {
    const first = await get(`/api/sessions/${own}/chats/15550001111/messages?limit=2`);
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items.map((m: { waMessageId: string }) => m.waMessageId)).toEqual(['W4', 'W1']);
    expect(page.items[0]).toMatchObject({
      sessionId: own,
      remoteJid: BOB,
      type: 'text',
      payload: { text: 'm4' },
    });
    const next = (
      await get(`/api/sessions/${own}/chats/${BOB_LID}/messages?limit=2&cursor=${page.nextCursor}`)
    ).json();
    expect(next).toEqual({ items: [expect.objectContaining({ waMessageId: 'W0' })], nextCursor: null });
  });

  it('answers an empty page for a chat without stored messages, 400 for a bad id, 404 for a bad session', async () => {
    expect((await get(`/api/sessions/${own}/chats/${GROUP}/messages`)).json()).toEqual({
      items: [],
      nextCursor: null,
    });
    expect((await get(`/api/sessions/${own}/chats/x/messages`)).json().code).toBe('INVALID_CHAT_ID');
    expect((await get(`/api/sessions/nope/chats/${BOB}/messages`)).json().code).toBe('SESSION_NOT_FOUND');
  });
});
