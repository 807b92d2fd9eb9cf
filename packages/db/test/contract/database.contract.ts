import { expect, it } from 'vitest';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

/** migrate / health / close: the Database lifecycle itself. */
export function databaseContract(ctx: ContractContext) {
  it('migrate is idempotent: a second run (and a second process) changes nothing', async () => {
    const s = await ctx.db.repos.sessions.create({ name: uniqueName('mig') });
    await ctx.db.migrate();
    const other = await ctx.target.reopen();
    try {
      await other.migrate();
      expect((await other.repos.sessions.getById(s.id))?.name).toBe(s.name);
    } finally {
      await other.close();
    }
  });

  it('health runs a real query and reports latency', async () => {
    const result = await ctx.db.health(2_000);
    expect(result.ok).toBe(true);
    // Whole milliseconds, measured (not the timeout echoed back): a local `select 1` is far below it.
    expect(Number.isInteger(result.latencyMs)).toBe(true);
    expect(result.latencyMs).toBeLessThan(2_000);
    expect(result.error).toBeUndefined();
  });

  it('health on a closed database answers ok:false quickly; close is idempotent', async () => {
    const other = await ctx.target.reopen();
    await other.close();
    await other.close();
    const started = Date.now();
    const result = await other.health(1_000);
    expect(result.ok).toBe(false);
    expect(result.error).toBeTruthy();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
}
