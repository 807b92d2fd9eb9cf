import { expect, it } from 'vitest';
import { FOREVER_MUTED } from '../../src/index.js';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

/** A session's chat list: partial changes, unread arithmetic, last-message ordering, pages. */
export function chatsContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;
  const newSession = async () => (await repos().sessions.create({ name: uniqueName('chat') })).id;
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const bob = '15550001111@s.whatsapp.net';

  it('adds chats, keeps what a partial change does not say, and returns the stored rows', async () => {
    const sessionId = await newSession();
    const [added] = await repos().chats.applyMany(sessionId, [
      {
        jid: bob,
        lid: '900001@lid',
        name: 'Bob',
        unread: { set: 2 },
        archived: true,
        mutedUntil: FOREVER_MUTED,
        lastMessage: { waMessageId: 'A1', preview: 'hi', at: at(10), direction: 'inbound' },
      },
    ]);
    expect(added).toMatchObject({
      sessionId,
      jid: bob,
      lid: '900001@lid',
      name: 'Bob',
      unreadCount: 2,
      archived: true,
      mutedUntil: FOREVER_MUTED,
      lastMessageWaId: 'A1',
      lastMessagePreview: 'hi',
      lastMessageAt: at(10),
      lastMessageDirection: 'inbound',
      activityAt: at(10),
    });
    // Nulls and absent fields keep the stored values.
    const [same] = await repos().chats.applyMany(sessionId, [{ jid: bob, lid: null, name: null }]);
    expect(same).toMatchObject({ lid: '900001@lid', name: 'Bob', unreadCount: 2, archived: true });
    expect(same?.mutedUntil).toEqual(FOREVER_MUTED);
    const [unmuted] = await repos().chats.applyMany(sessionId, [
      { jid: bob, archived: false, mutedUntil: null },
    ]);
    expect(unmuted).toMatchObject({ archived: false, mutedUntil: null, lastMessageWaId: 'A1' });
    expect(await repos().chats.get(sessionId, bob)).toEqual(unmuted);
    expect(await repos().chats.get(sessionId, 'nobody@s.whatsapp.net')).toBeNull();
  });

  it('adds, replaces and marks unread counts in the order given', async () => {
    const sessionId = await newSession();
    const rows = await repos().chats.applyMany(sessionId, [
      { jid: bob, unread: { add: 1 } },
      { jid: bob, unread: { add: 2 } },
      { jid: '2@g.us', unread: 'marked' },
    ]);
    expect(rows.map((r) => [r.jid, r.unreadCount])).toEqual([
      [bob, 3],
      ['2@g.us', 1],
    ]);
    await repos().chats.applyMany(sessionId, [
      { jid: bob, unread: { set: 0 } },
      { jid: bob, unread: { add: 1 } },
      { jid: '2@g.us', unread: { add: 4 } },
      { jid: '2@g.us', unread: 'marked' },
    ]);
    expect((await repos().chats.get(sessionId, bob))?.unreadCount).toBe(1);
    expect((await repos().chats.get(sessionId, '2@g.us'))?.unreadCount).toBe(5);
  });

  it('keeps the newest last message, whatever order messages are reported in', async () => {
    const sessionId = await newSession();
    const message = (id: string, s: number, direction: 'inbound' | 'outbound' = 'inbound') => ({
      jid: bob,
      lastMessage: { waMessageId: id, preview: id, at: at(s), direction },
    });
    await repos().chats.applyMany(sessionId, [message('NEW', 30, 'outbound'), message('OLD', 20)]);
    const row = await repos().chats.get(sessionId, bob);
    expect(row).toMatchObject({
      lastMessageWaId: 'NEW',
      lastMessageDirection: 'outbound',
      activityAt: at(30),
    });
    await repos().chats.applyMany(sessionId, [message('NEWER', 40)]);
    expect(await repos().chats.get(sessionId, bob)).toMatchObject({
      lastMessageWaId: 'NEWER',
      lastMessagePreview: 'NEWER',
      lastMessageAt: at(40),
      activityAt: at(40),
    });
    // An older conversation timestamp never moves the chat back.
    await repos().chats.applyMany(sessionId, [{ jid: bob, activityAt: at(5) }]);
    expect((await repos().chats.get(sessionId, bob))?.activityAt).toEqual(at(40));
  });

  it('pages by activity then jid, filters archived, finds by jid or lid, per session', async () => {
    const sessionId = await newSession();
    const other = await newSession();
    const jids = Array.from({ length: 7 }, (_, i) => `1555000${i}000@s.whatsapp.net`);
    await repos().chats.applyMany(
      sessionId,
      jids.map((jid, i) => ({
        jid,
        lid: `${i}77@lid`,
        // Two chats share each time: the jid breaks the tie.
        activityAt: at(Math.floor(i / 2)),
        archived: i === 0,
      })),
    );
    await repos().chats.applyMany(sessionId, [{ jid: '3@g.us' }]);
    await repos().chats.applyMany(other, [{ jid: jids[0] as string, activityAt: at(50) }]);

    const seen: string[] = [];
    let after = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await repos().chats.listPage(sessionId, { limit: 3, after });
      seen.push(...page.items.map((c) => c.jid));
      after = page.next;
      if (!after) break;
    }
    expect(seen).toEqual([jids[6], jids[4], jids[5], jids[2], jids[3], jids[0], jids[1], '3@g.us']);
    const archived = await repos().chats.listPage(sessionId, { limit: 10, archived: true });
    expect(archived.items.map((c) => c.jid)).toEqual([jids[0]]);
    expect(archived.next).toBeNull();
    const live = await repos().chats.listPage(sessionId, { limit: 100, archived: false });
    expect(live.items).toHaveLength(7);

    const found = await repos().chats.findByAddresses(sessionId, ['177@lid', jids[2] as string]);
    expect(found.map((c) => c.jid).sort()).toEqual([jids[1], jids[2]]);
    expect(await repos().chats.findByAddresses(sessionId, [])).toEqual([]);
    expect((await repos().chats.listPage(other, { limit: 10 })).items.map((c) => c.jid)).toEqual([jids[0]]);
  });

  it('lists a chat’s messages by remote JID, newest first', async () => {
    const sessionId = await newSession();
    const lid = '900002@lid';
    for (const [i, remoteJid] of [bob, lid, 'x@s.whatsapp.net', bob].entries()) {
      await repos().messages.insert({
        sessionId,
        direction: 'inbound',
        waMessageId: `M${i}`,
        remoteJid,
        type: 'text',
        payload: { text: String(i) },
      });
    }
    const first = await repos().messages.listBySession({ sessionId, remoteJids: [bob, lid], limit: 2 });
    expect(first.items.map((m) => m.waMessageId)).toEqual(['M3', 'M1']);
    const second = await repos().messages.listBySession({
      sessionId,
      remoteJids: [bob, lid],
      limit: 2,
      cursor: first.nextCursor,
    });
    expect(second.items.map((m) => m.waMessageId)).toEqual(['M0']);
    expect(second.nextCursor).toBeNull();
  });
}
