/**
 * The migration folders must describe exactly the tables in `schema/tables.ts`: a column added to
 * the description without `npm run db:generate` (or a hand-edited migration) fails here. The
 * latest snapshot drizzle-kit wrote next to each folder's migrations is diffed against the
 * schema as it is now, with drizzle-kit's own differ; no pending statement may come out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DrizzleSnapshotJSON,
  type DrizzleSQLiteSnapshotJSON,
  generateDrizzleJson,
  generateMigration,
  generateSQLiteDrizzleJson,
  generateSQLiteMigration,
} from 'drizzle-kit/api';
import { describe, expect, it } from 'vitest';
import { defaultMigrationsFolder } from '../src/client/options.js';
import * as pgSchema from '../src/schema/pg.js';
import * as sqliteSchema from '../src/schema/sqlite.js';

function latestSnapshot<T>(dialect: 'sqlite' | 'pg'): T {
  const folder = defaultMigrationsFolder(dialect);
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: Array<{ idx: number }>;
  };
  const last = journal.entries.at(-1);
  if (!last) throw new Error(`no migrations in ${folder}`);
  const file = join(folder, 'meta', `${String(last.idx).padStart(4, '0')}_snapshot.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

describe('generated migrations agree with the table description', () => {
  it('SQLite: nothing left to generate', async () => {
    const prev = latestSnapshot<DrizzleSQLiteSnapshotJSON>('sqlite');
    const current = await generateSQLiteDrizzleJson(sqliteSchema, prev.id);
    expect(Object.keys(current.tables).sort()).toContain('messages');
    expect(await generateSQLiteMigration(prev, current)).toEqual([]);
  });

  it('PostgreSQL: nothing left to generate', async () => {
    const prev = latestSnapshot<DrizzleSnapshotJSON>('pg');
    const current = generateDrizzleJson(pgSchema, prev.id);
    expect(Object.keys(current.tables)).toContain('public.messages');
    expect(await generateMigration(prev, current)).toEqual([]);
  });

  it('a column missing from the migrations is caught', async () => {
    const prev = latestSnapshot<DrizzleSQLiteSnapshotJSON>('sqlite');
    const { messages: _dropped, ...withoutMessages } = prev.tables;
    const stale = { ...prev, tables: withoutMessages };
    const current = await generateSQLiteDrizzleJson(sqliteSchema, prev.id);
    const pending = await generateSQLiteMigration(stale, current);
    expect(pending.join('\n')).toContain('CREATE TABLE `messages`');
  });
});
