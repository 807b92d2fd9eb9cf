import { createPgExecutor } from '../executor/pg.executor.js';
import { createRepositories } from '../repositories/index.js';
import * as tables from '../schema/pg.js';
import type { Database } from './database.js';
import { measureHealth } from './health.js';
import { type DatabaseOptions, DEFAULTS, defaultMigrationsFolder } from './options.js';

/** Advisory lock key namespace for migrations ("wagw" in ASCII); the second key is per schema. */
const MIGRATION_LOCK_NS = 0x77616777;

/**
 * A URL may pick its schema itself (`?options=-c search_path=x`, as @wagw/testing's
 * createPgSchema produces), so a spawned process given only DATABASE_URL stays isolated too.
 */
function schemaFromUrl(url: string): string | undefined {
  const options = URL.canParse(url) ? new URL(url).searchParams.get('options') : null;
  return options?.match(/search_path=([A-Za-z0-9_]+)/)?.[1];
}

/**
 * The driver and drizzle's PostgreSQL parts, loaded only for a PostgreSQL URL: ~80 ms of CPU that
 * every process on SQLite (the default) paid at start before.
 */
async function loadDriver() {
  const [{ default: pg }, { drizzle }, { migrate }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ]);
  return { pg, drizzle, migrate };
}

export async function openPg(url: string, opts: DatabaseOptions): Promise<Database> {
  const queryTimeoutMs = opts.queryTimeoutMs ?? DEFAULTS.queryTimeoutMs;
  const schema = opts.schema ?? schemaFromUrl(url);
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/i.test(schema)) {
    throw new Error(`Invalid PostgreSQL schema name "${schema}"`);
  }
  const { pg, drizzle, migrate } = await loadDriver();
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolMax ?? DEFAULTS.poolMax,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    idleTimeoutMillis: opts.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
    statement_timeout: queryTimeoutMs,
    query_timeout: queryTimeoutMs,
    // Sent at connection start-up, so every pooled connection (and the migrator) sees the schema.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // Idle clients emit 'error' when the server goes away; unhandled, that would kill the process.
  pool.on('error', (err) => opts.onPoolError?.(err));
  const db = drizzle({ client: pool });
  const migrationsFolder = opts.migrationsFolder ?? defaultMigrationsFolder('pg');
  let closing: Promise<void> | undefined;

  return {
    dialect: 'postgres',
    repos: createRepositories(createPgExecutor(db, tables, { pool, wrap: drizzle })),

    async migrate() {
      const client = await pool.connect();
      try {
        // Migrations may legitimately run longer than the per-query timeout, and waiting for
        // another process's lock is not a hung query either.
        await client.query('SET statement_timeout = 0');
        // Session-level lock on this one connection: a second process starting at the same time
        // waits here, then finds every migration applied.
        await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [
          MIGRATION_LOCK_NS,
          schema ?? 'public',
        ]);
        try {
          await migrate(drizzle({ client }), {
            migrationsFolder,
            ...(schema ? { migrationsSchema: schema } : {}),
          });
        } finally {
          await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [
            MIGRATION_LOCK_NS,
            schema ?? 'public',
          ]);
          await client.query('RESET statement_timeout');
        }
        client.release();
      } catch (err) {
        // A broken connection must not go back to the pool.
        client.release(err instanceof Error ? err : true);
        throw err;
      }
    },

    health(timeoutMs) {
      return measureHealth(() => pool.query('select 1'), timeoutMs);
    },

    async canWrite() {
      await pool.query('select 1');
    },

    close() {
      closing ??= pool.end();
      return closing;
    },
  };
}
