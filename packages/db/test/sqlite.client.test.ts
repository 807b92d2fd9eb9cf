import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTempDir, tempSqliteUrl } from '@wagw/testing';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../src/index.js';

const run = promisify(execFile);
const repoRoot = new URL('../../../', import.meta.url).pathname;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('sqlite client', () => {
  it('creates the parent directory and opens in WAL mode', async () => {
    const dir = createTempDir();
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'nested', 'deeper', 'wagw.db');
    const db = await createDatabase({ url: file });
    await db.migrate();
    await db.close();
    expect(existsSync(file)).toBe(true);
    const raw = new BetterSqlite3(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('rejects the schema option (PostgreSQL only)', async () => {
    await expect(createDatabase({ url: 'file:/tmp/x.db', schema: 'x' })).rejects.toThrow(/PostgreSQL only/);
  });

  it('two processes running db:migrate on a fresh file at once both succeed', async () => {
    const tmp = tempSqliteUrl();
    cleanups.push(tmp.cleanup);
    // The compiled CLI, as `npm run db:migrate` runs it (the tests' global setup builds it).
    const migrate = () =>
      run(process.execPath, ['--enable-source-maps', 'dist/db-migrate.js'], {
        cwd: repoRoot,
        env: { ...process.env, DATABASE_URL: tmp.url },
      });
    const results = await Promise.all([migrate(), migrate()]);
    for (const r of results) expect(r.stdout).toContain('migrated sqlite');
    const raw = new BetterSqlite3(tmp.file, { readonly: true });
    const applied = raw.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number };
    raw.close();
    expect(applied.n).toBeGreaterThanOrEqual(1);
    const db = await createDatabase({ url: tmp.url });
    expect((await db.repos.sessions.create({ name: 'after-cli' })).name).toBe('after-cli');
    await db.close();
  }, 60_000);
});
