import { expect, it } from 'vitest';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

const DAY_MS = 24 * 3_600_000;

export function idempotencyKeysContract(ctx: ContractContext) {
  const repo = () => ctx.db.repos.idempotencyKeys;
  const claim = (scope: string, key: string, extra: { hash?: string; expiresAt?: Date } = {}) =>
    repo().begin({
      scope,
      key,
      requestHash: extra.hash ?? 'h1',
      expiresAt: extra.expiresAt ?? new Date(Date.now() + DAY_MS),
    });

  it('begin claims a key once per scope; the holder is visible with get', async () => {
    const key = uniqueName('key');
    const first = await claim('admin', key);
    expect(first).toMatchObject({ scope: 'admin', key, status: 'in_progress', responseStatus: null });
    expect(await claim('admin', key, { hash: 'h2' })).toBeNull();
    expect(await repo().get('admin', key)).toEqual(first);
    // Another principal's identical key is a different record.
    expect(await claim('key-123', key)).not.toBeNull();
    expect(await repo().get('nobody', key)).toBeNull();
  });

  it('concurrent claims of one key: exactly one wins', async () => {
    const key = uniqueName('race');
    const results = await Promise.all(Array.from({ length: 8 }, () => claim('admin', key)));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it('complete stores the response (JSON round trip) once, only on an in-progress row', async () => {
    const row = (await claim('admin', uniqueName('done')))!;
    const body = { id: 'm1', status: 'queued', nested: { list: [1, 'a', null] } };
    expect(await repo().complete(row.id, { status: 202, body })).toBe(true);
    expect(await repo().complete(row.id, { status: 500, body: {} })).toBe(false);
    expect(await repo().get('admin', row.key)).toMatchObject({
      status: 'completed',
      responseStatus: 202,
      responseBody: body,
      requestHash: 'h1',
    });
    expect(await repo().complete('missing', { status: 202, body })).toBe(false);
  });

  it('delete by id is a compare-and-set: a newer claim of the same key survives', async () => {
    const key = uniqueName('del');
    const old = (await claim('admin', key))!;
    expect(await repo().delete(old.id)).toBe(true);
    expect(await repo().delete(old.id)).toBe(false);
    const fresh = (await claim('admin', key))!;
    expect(await repo().delete(old.id)).toBe(false);
    expect((await repo().get('admin', key))?.id).toBe(fresh.id);
  });

  it('deleteExpired removes only rows past expires_at', async () => {
    const expired = (await claim('admin', uniqueName('old'), { expiresAt: new Date(Date.now() - 1000) }))!;
    const live = (await claim('admin', uniqueName('live')))!;
    expect(await repo().deleteExpired(new Date())).toBeGreaterThanOrEqual(1);
    expect(await repo().get('admin', expired.key)).toBeNull();
    expect(await repo().get('admin', live.key)).not.toBeNull();
  });
}
