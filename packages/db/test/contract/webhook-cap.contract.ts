import { expect, it } from 'vitest';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

/**
 * webhooks.createWithinCap under contention. On PostgreSQL two Database instances (two pools)
 * stand for two API replicas. On SQLite a second connection in this same process cannot take part:
 * better-sqlite3 waits for the file lock synchronously, blocking the event loop the first
 * connection's transaction needs to finish; there the races are one process's interleaved awaits,
 * and other processes are excluded by BEGIN IMMEDIATE. A count-then-insert lets every one of the
 * 30 racing creates see the same count and pass; the locked transaction must stop at the cap.
 */
export function webhookCapContract(ctx: ContractContext) {
  it('createWithinCap: 30 concurrent creates from two connections (one on SQLite) never exceed the cap', async () => {
    const max = 5;
    const other = ctx.db.dialect === 'postgres' ? await ctx.target.reopen() : ctx.db;
    try {
      const sessionId = (await ctx.db.repos.sessions.create({ name: uniqueName('cap') })).id;
      const input = { sessionId, url: 'https://cap.example', events: ['*'] };
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 === 0 ? ctx.db : other).repos.webhooks.createWithinCap(input, max),
        ),
      );
      const created = outcomes.filter((o) => 'created' in o).length;
      expect(created).toBe(max);
      expect(await ctx.db.repos.webhooks.list({ sessionId })).toHaveLength(max);
      for (const o of outcomes) if ('full' in o) expect(o.full.count).toBe(max);
    } finally {
      if (other !== ctx.db) await other.close();
    }
  });

  it('createWithinCap counts only the session’s own webhooks', async () => {
    const a = (await ctx.db.repos.sessions.create({ name: uniqueName('cap') })).id;
    const b = (await ctx.db.repos.sessions.create({ name: uniqueName('cap') })).id;
    await ctx.db.repos.webhooks.create({ url: 'https://global.example', events: ['*'] });
    await ctx.db.repos.webhooks.createWithinCap({ sessionId: b, url: 'https://b.example', events: [] }, 1);
    const first = await ctx.db.repos.webhooks.createWithinCap(
      { sessionId: a, url: 'https://a.example', events: ['*'], headers: { x: '1' }, secret: 's' },
      1,
    );
    expect('created' in first && first.created).toMatchObject({
      sessionId: a,
      headers: { x: '1' },
      secret: 's',
    });
    if ('created' in first)
      expect(await ctx.db.repos.webhooks.getById(first.created.id)).toEqual(first.created);
    expect(
      await ctx.db.repos.webhooks.createWithinCap({ sessionId: a, url: 'https://a.example', events: [] }, 1),
    ).toEqual({
      full: { count: 1 },
    });
  });
}
