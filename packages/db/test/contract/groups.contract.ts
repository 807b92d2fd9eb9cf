import { expect, it } from 'vitest';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

/** The per-session group metadata cache. */
export function groupsContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;
  const newSession = async () => (await repos().sessions.create({ name: uniqueName('grp') })).id;

  it('upsertMany stores, replaces and keeps groups per session; remove says whether it was there', async () => {
    const sessionId = await newSession();
    const other = await newSession();
    const meta = (subject: string, n: number) => ({
      subject,
      participants: Array.from({ length: n }, (_, i) => i),
    });
    await repos().groups.upsertMany(sessionId, [
      { jid: '2@g.us', subject: 'Two', metadata: meta('Two', 2) },
      { jid: '1@g.us', subject: 'One', metadata: meta('One', 1) },
      { jid: '1@g.us', subject: 'One again', metadata: meta('One again', 3) },
    ]);
    await repos().groups.upsertMany(other, [
      { jid: '1@g.us', subject: 'Theirs', metadata: meta('Theirs', 0) },
    ]);
    await repos().groups.upsertMany(sessionId, [
      { jid: '2@g.us', subject: 'Renamed', metadata: meta('Renamed', 4) },
    ]);
    await repos().groups.upsertMany(sessionId, []);

    const list = await repos().groups.listBySession(sessionId);
    expect(list.map(({ jid, subject, metadata }) => ({ jid, subject, metadata }))).toEqual([
      { jid: '1@g.us', subject: 'One again', metadata: meta('One again', 3) },
      { jid: '2@g.us', subject: 'Renamed', metadata: meta('Renamed', 4) },
    ]);
    expect((await repos().groups.get(other, '1@g.us'))?.subject).toBe('Theirs');
    expect(await repos().groups.get(sessionId, '3@g.us')).toBeNull();

    expect(await repos().groups.remove(sessionId, '1@g.us')).toBe(true);
    expect(await repos().groups.remove(sessionId, '1@g.us')).toBe(false);
    expect((await repos().groups.listBySession(sessionId)).map((g) => g.jid)).toEqual(['2@g.us']);
    expect((await repos().groups.get(other, '1@g.us'))?.subject).toBe('Theirs');
  });
}
