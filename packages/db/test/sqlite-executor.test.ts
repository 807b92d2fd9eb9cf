/**
 * The SQLite executor's transaction gate, on a real file: better-sqlite3 has one connection per
 * process, so without the gate a statement issued while a transaction awaits would run inside it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { tempSqliteUrl } from '@wagw/testing';
import BetterSqlite3 from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor } from '../src/executor/executor.js';
import { createSqliteExecutor } from '../src/executor/sqlite.executor.js';
import { createDatabase } from '../src/index.js';
import * as tables from '../src/schema/sqlite.js';

const tmp = tempSqliteUrl();
let client: BetterSqlite3.Database;
let x: Executor;

/** A promise and the function that settles it (Promise.withResolvers needs Node 22). */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

function keyRow(id: string) {
  return { id, name: id, keyHash: `hash-${id}`, prefix: 'wagw_', sessionId: null, createdAt: new Date() };
}

beforeAll(async () => {
  const migrated = await createDatabase({ url: tmp.url });
  await migrated.migrate();
  await migrated.close();
  client = new BetterSqlite3(tmp.file);
  x = createSqliteExecutor(drizzle({ client }), client, tables);
});

afterAll(() => {
  client.close();
  tmp.cleanup();
});

describe('SQLite executor', () => {
  it('a statement issued while a transaction awaits waits for it and is not rolled back with it', async () => {
    const order: string[] = [];
    const { promise: written, resolve: insideWritten } = deferred();
    const { promise: released, resolve: release } = deferred();
    const failing = x
      .transaction(async (tx) => {
        await tx.run(tx.db.insert(tables.apiKeys).values(keyRow('inside')));
        insideWritten();
        await released;
        order.push('transaction body done');
        throw new Error('roll back');
      })
      .catch((err: Error) => err.message);
    await written;
    const outside = x.run(x.db.insert(tables.apiKeys).values(keyRow('outside'))).then(() => {
      order.push('outside insert done');
    });
    // Ungated, the outside insert would have run by now (better-sqlite3 is synchronous).
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    release();
    expect(await failing).toBe('roll back');
    await outside;
    expect(order).toEqual(['transaction body done', 'outside insert done']);
    const ids = (await x.all(x.db.select({ id: tables.apiKeys.id }).from(tables.apiKeys))).map((r) => r.id);
    expect(ids).toEqual(['outside']);
  });

  it('read-then-write transactions that await in between serialise (no lost update)', async () => {
    await x.run(x.db.insert(tables.apiKeys).values({ ...keyRow('counter'), name: '0' }));
    const increment = () =>
      x.transaction(async (tx) => {
        const row = await tx.first(
          tx.db.select().from(tables.apiKeys).where(eq(tables.apiKeys.id, 'counter')).limit(1),
        );
        await delay(1);
        await tx.run(
          tx.db
            .update(tables.apiKeys)
            .set({ name: String(Number(row?.name) + 1) })
            .where(eq(tables.apiKeys.id, 'counter')),
        );
      });
    await Promise.all(Array.from({ length: 20 }, increment));
    const row = await x.first(
      x.db.select().from(tables.apiKeys).where(eq(tables.apiKeys.id, 'counter')).limit(1),
    );
    expect(row?.name).toBe('20');
  });

  describe('prepared', () => {
    // `on`: the executor to run it on (the outer one by default, or a transaction's).
    const byId = (id: string, on: Executor = x) =>
      on.prepared(
        'test.apiKeys.byId',
        (db, p) =>
          db
            .select()
            .from(tables.apiKeys)
            .where(eq(tables.apiKeys.id, p<string>('id')))
            .limit(1),
        { id },
      );
    const insert = (id: string, createdAt: Date) =>
      x.prepared(
        'test.apiKeys.insert',
        (db, p) =>
          db
            .insert(tables.apiKeys)
            .values({ ...keyRow('template'), id: p('id'), keyHash: p('hash'), createdAt: p('at') }),
        { id, hash: `hash-${id}`, at: createdAt },
      );

    it('builds a query once per key and binds each call its own values, through the column mapping', async () => {
      let builds = 0;
      const counted = (id: string) =>
        x.prepared(
          'test.apiKeys.byIdCounted',
          (db, p) => {
            builds++;
            return db
              .select()
              .from(tables.apiKeys)
              .where(eq(tables.apiKeys.id, p<string>('id')))
              .limit(1);
          },
          { id },
        );
      const at = new Date('2026-01-02T03:04:05.678Z');
      expect(await insert('p-1', at)).toEqual([]);
      await insert('p-2', new Date(at.getTime() + 1000));
      const [one] = await counted('p-1');
      const [two] = await counted('p-2');
      expect(builds).toBe(1);
      expect(one?.id).toBe('p-1');
      // A Date bound to a placeholder goes through the column's mapping both ways.
      expect(one?.createdAt).toEqual(at);
      expect(two?.createdAt).toEqual(new Date(at.getTime() + 1000));
      expect(await counted('missing')).toEqual([]);
      expect((await byId('p-2'))[0]?.keyHash).toBe('hash-p-2');
    });

    it('waits for a transaction in progress, as every statement outside it does', async () => {
      const { promise: released, resolve: release } = deferred();
      const { promise: written, resolve: inserted } = deferred();
      const failing = x
        .transaction(async (tx) => {
          await tx.run(tx.db.insert(tables.apiKeys).values(keyRow('p-rolled-back')));
          // Inside the transaction the kept query sees the uncommitted row.
          expect(await byId('p-rolled-back', tx)).toHaveLength(1);
          inserted();
          await released;
          throw new Error('roll back');
        })
        .catch((err: Error) => err.message);
      await written;
      const outside = byId('p-rolled-back');
      release();
      expect(await failing).toBe('roll back');
      // Run inside the transaction it would have found the row the rollback removed.
      expect(await outside).toEqual([]);
    });
  });
});
