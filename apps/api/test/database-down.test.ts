import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createPgSchema, type PgSchema, startCuttableProxy, tempSqliteUrl } from '@wagw/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function expectUnavailable(res: Awaited<ReturnType<TestApp['app']['inject']>>) {
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.json()).toMatchObject({ statusCode: 503, code: 'DATABASE_UNAVAILABLE' });
}

const createSession = (t: TestApp, name: string) =>
  t.app.inject({ method: 'POST', url: '/api/sessions', headers: AUTH, payload: { name } });

describe('API with the database unavailable', () => {
  it('PostgreSQL unreachable: 503 DATABASE_UNAVAILABLE with Retry-After, then answers again without a restart', async () => {
    const schema: PgSchema = await createPgSchema();
    cleanups.push(() => schema.drop());
    const target = new URL(schema.url);
    const proxy = await startCuttableProxy(target.hostname, Number(target.port || 5432));
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(schema.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const t = await createTestApp({ databaseUrl: viaProxy.toString() });

    expect((await createSession(t, 'before')).statusCode).toBe(201);
    proxy.cut();
    // More failed writes than the pool has connections (10): none may leak one (a failed BEGIN did).
    for (let i = 0; i < 12; i++) expectUnavailable(await createSession(t, `during-${i}`));
    expectUnavailable(await t.app.inject({ method: 'GET', url: '/api/sessions', headers: AUTH }));
    proxy.restore();
    expect((await createSession(t, 'after')).statusCode).toBe(201);
    const list = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: AUTH });
    expect(list.statusCode).toBe(200);
    // Every connection went back to the pool: closing does not wait for a leaked one.
    const closing = Date.now();
    await t.close();
    expect(Date.now() - closing).toBeLessThan(2000);
  });

  it('SQLite file locked by another process: a write answers 503 after busy_timeout, then succeeds once released', async () => {
    const sqlite = tempSqliteUrl();
    cleanups.push(() => sqlite.cleanup());
    const t = await createTestApp({ databaseUrl: sqlite.url });
    cleanups.push(() => t.close());
    const script = `const db = new (require('better-sqlite3'))(process.argv[1]);
db.exec('BEGIN EXCLUSIVE'); console.log('locked');
process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); }); process.stdin.resume();`;
    const holder: ChildProcess = spawn(process.execPath, ['-e', script, sqlite.file], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    cleanups.push(() => void holder.kill('SIGKILL'));
    await once(holder.stdout!, 'data');

    expectUnavailable(await createSession(t, 'during'));
    const exited = once(holder, 'exit');
    holder.stdin!.end();
    await exited;
    expect((await createSession(t, 'after')).statusCode).toBe(201);
  }, 30_000);
});
