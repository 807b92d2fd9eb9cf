import { parseDatabaseUrl } from '@wagw/config';
import type { Database } from './database.js';
import type { DatabaseOptions } from './options.js';
import { openPg } from './pg.client.js';
import { openSqlite } from './sqlite.client.js';

/**
 * Opens the database named by `opts.url` (dialect from the scheme, see `parseDatabaseUrl`).
 * Does not migrate: call `db.migrate()` at process start. PostgreSQL connects lazily, so an
 * unreachable server shows up on the first query or `health()`, not here.
 */
export async function createDatabase(opts: DatabaseOptions): Promise<Database> {
  const target = parseDatabaseUrl(opts.url);
  if (target.dialect === 'postgres') return openPg(target.url, opts);
  if (opts.schema !== undefined) throw new Error('The `schema` option is for PostgreSQL only');
  return openSqlite(target.path, opts);
}
