import { expect, it } from 'vitest';
import { newId } from '../../src/index.js';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

const JID = '15557654321@s.whatsapp.net';

export function mediaDownloadsContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;
  const newSession = async () => (await repos().sessions.create({ name: uniqueName('dl') })).id;
  const inbound = (sessionId: string, waMessageId: string) => ({
    id: newId(),
    sessionId,
    direction: 'inbound' as const,
    waMessageId,
    remoteJid: JID,
    type: 'image',
    payload: { caption: 'hi', media: { pending: true } },
  });
  const descriptor = { mediaType: 'image', directPath: '/v/t62/1.enc', mediaKey: 'a2V5' };

  it('mediaDownloads.insertWithMessage stores the message and its download together, once', async () => {
    const sessionId = await newSession();
    const first = inbound(sessionId, 'WA-1');
    expect(await repos().mediaDownloads.insertWithMessage(first, descriptor)).toBe(true);
    expect(await repos().messages.getById(first.id)).toMatchObject({
      status: 'received',
      type: 'image',
      payload: first.payload,
    });
    // The same WhatsApp id again (a replay): neither a second message nor a second download.
    const replay = inbound(sessionId, 'WA-1');
    expect(await repos().mediaDownloads.insertWithMessage(replay, descriptor)).toBe(false);
    expect(await repos().messages.getById(replay.id)).toBeNull();
    const pending = await repos().mediaDownloads.listBySession(sessionId, { limit: 10 });
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ messageId: first.id, sessionId, descriptor });
    expect(pending[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('mediaDownloads.listBySession pages in message order and keeps sessions apart', async () => {
    const s1 = await newSession();
    const s2 = await newSession();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const message = inbound(s1, `WA-${i}`);
      ids.push(message.id);
      await repos().mediaDownloads.insertWithMessage(message, { ...descriptor, n: i });
    }
    await repos().mediaDownloads.insertWithMessage(inbound(s2, 'WA-0'), descriptor);
    const page1 = await repos().mediaDownloads.listBySession(s1, { limit: 3 });
    expect(page1.map((d) => d.messageId)).toEqual(ids.slice(0, 3));
    const page2 = await repos().mediaDownloads.listBySession(s1, {
      limit: 3,
      afterMessageId: page1.at(-1)?.messageId,
    });
    expect(page2.map((d) => d.messageId)).toEqual(ids.slice(3));
    expect(page2[1]?.descriptor).toMatchObject({ n: 4 });
    expect(await repos().mediaDownloads.listBySession(s2, { limit: 10 })).toHaveLength(1);
  });

  it('mediaDownloads.delete removes the download once and keeps the message', async () => {
    const sessionId = await newSession();
    const message = inbound(sessionId, 'WA-DEL');
    await repos().mediaDownloads.insertWithMessage(message, descriptor);
    expect(await repos().mediaDownloads.delete(message.id)).toBe(true);
    expect(await repos().mediaDownloads.delete(message.id)).toBe(false);
    expect(await repos().mediaDownloads.listBySession(sessionId, { limit: 10 })).toEqual([]);
    expect(await repos().messages.getById(message.id)).not.toBeNull();
  });
}
