import { createTempDir } from '@wagw/testing';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cacheStatements } from '../src/client/sqlite-statement-cache.js';
import { createDatabase } from '../src/index.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0)) await c();
});

function openFile() {
  const dir = createTempDir();
  const client = new BetterSqlite3(`${dir.path}/cache.db`);
  cleanups.push(() => {
    client.close();
    dir.cleanup();
  });
  return client;
}

describe('sqlite statement cache', () => {
  it('compiles a statement once per SQL text and hands the same one out again', () => {
    const compiled = vi.spyOn(BetterSqlite3.prototype, 'prepare');
    const client = openFile();
    cacheStatements(client);
    client.exec('create table t (id integer primary key, v text)');
    const insert = 'insert into t (v) values (?)';
    for (let i = 0; i < 5; i++) client.prepare(insert).run(`v${i}`);
    expect(client.prepare(insert)).toBe(client.prepare(insert));
    expect(compiled.mock.calls.filter(([source]) => source === insert)).toHaveLength(1);
    expect(client.prepare('select count(*) as n from t').get()).toEqual({ n: 5 });
  });

  it('a statement left in raw row mode (as drizzle leaves it) returns objects to the next caller', () => {
    const client = openFile();
    cacheStatements(client);
    const first = client.prepare('select 1 as x');
    expect(first.raw(true).get()).toEqual([1]);
    expect(client.prepare('select 1 as x').get()).toEqual({ x: 1 });
  });

  it('is bounded: the least recently used statement leaves first', () => {
    const compiled = vi.spyOn(BetterSqlite3.prototype, 'prepare');
    const client = openFile();
    const cache = cacheStatements(client);
    const hot = 'select 0 as hot';
    client.prepare(hot);
    for (let i = 1; i <= 400; i++) {
      client.prepare(`select ${i} as n`);
      if (i % 100 === 0) client.prepare(hot);
    }
    expect(cache.size).toBe(256);
    client.prepare(hot);
    expect(compiled.mock.calls.filter(([source]) => source === hot)).toHaveLength(1);
    client.prepare('select 1 as n');
    expect(compiled.mock.calls.filter(([source]) => source === 'select 1 as n')).toHaveLength(2);
  });

  it('leaves pragmas and long multi-row SQL alone', () => {
    const client = openFile();
    const cache = cacheStatements(client);
    expect(client.pragma('journal_mode = WAL', { simple: true })).toBe('wal');
    client.exec('create table t (v text)');
    const values = Array.from({ length: 600 }, (_, i) => `('row-${i}')`).join(',');
    client.prepare(`insert into t (v) values ${values}`).run();
    expect(cache.size).toBe(0);
    expect(client.prepare('select count(*) as n from t').get()).toEqual({ n: 600 });
  });

  it('repository reads and writes on a database file compile nothing the second time', async () => {
    const compiled = vi.spyOn(BetterSqlite3.prototype, 'prepare');
    const dir = createTempDir();
    const db = await createDatabase({ url: `${dir.path}/repos.db` });
    cleanups.push(async () => {
      await db.close();
      dir.cleanup();
    });
    await db.migrate();
    const roundTrip = async (name: string) => {
      const created = await db.repos.sessions.create({ name });
      expect((await db.repos.sessions.getById(created.id))?.name).toBe(name);
    };
    await roundTrip('first');
    const before = compiled.mock.calls.length;
    await roundTrip('second');
    expect(compiled.mock.calls.length).toBe(before);
    expect((await db.repos.sessions.list()).map((s) => s.name).sort()).toEqual(['first', 'second']);
  });
});
