import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { createSqliteExecutor } from '../executor/sqlite.executor.js';
import { createRepositories } from '../repositories/index.js';
import * as tables from '../schema/sqlite.js';
import type { Database } from './database.js';
import { measureHealth } from './health.js';
import { type DatabaseOptions, DEFAULTS, defaultMigrationsFolder } from './options.js';
import { cacheStatements } from './sqlite-statement-cache.js';

export function openSqlite(path: string, opts: DatabaseOptions): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const client = new BetterSqlite3(path);
  // WAL: readers never block the writer. synchronous=NORMAL is durable across process crashes
  // in WAL mode (only an OS crash can lose the last transactions) and much faster than FULL.
  client.pragma('journal_mode = WAL');
  client.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? DEFAULTS.busyTimeoutMs)}`);
  client.pragma('foreign_keys = ON');
  client.pragma('synchronous = NORMAL');
  cacheStatements(client);
  const db = drizzle({ client });
  const migrationsFolder = opts.migrationsFolder ?? defaultMigrationsFolder('sqlite');

  return {
    dialect: 'sqlite',
    repos: createRepositories(createSqliteExecutor(db, client, tables)),

    async migrate() {
      try {
        migrate(db, { migrationsFolder });
      } catch {
        // drizzle reads the applied-migrations list before its BEGIN, so when two processes
        // start together the slower one replays a migration the faster one just committed and
        // fails ("table already exists"), rolled back. busy_timeout made it wait for that commit,
        // so a second pass sees everything applied; a genuinely broken migration fails again.
        migrate(db, { migrationsFolder });
      }
    },

    health(timeoutMs) {
      return measureHealth(async () => client.prepare('select 1').get(), timeoutMs);
    },

    async canWrite() {
      // Our own open transaction already holds the lock.
      if (client.inTransaction) return;
      const busyTimeout = client.pragma('busy_timeout', { simple: true });
      // Synchronous from here to the restore: no other statement of this process runs in between.
      client.pragma('busy_timeout = 0');
      try {
        client.exec('BEGIN IMMEDIATE');
        client.exec('ROLLBACK');
      } finally {
        client.pragma(`busy_timeout = ${Number(busyTimeout)}`);
      }
    },

    async close() {
      if (client.open) client.close();
    },
  };
}
