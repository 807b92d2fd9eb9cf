import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options for `createDatabase`. Every field except `url` is optional; defaults are listed. */
export interface DatabaseOptions {
  /** `file:./data/wagw.db`, a bare path (SQLite) or `postgres://...` (PostgreSQL). */
  url: string;
  /** PostgreSQL only: schema used as search_path and for the migrations table. Default: none (public; migrations table in "drizzle"). Used by tests for isolation. */
  schema?: string;
  /** PostgreSQL pool size. Default: 10. */
  poolMax?: number;
  /** PostgreSQL: max wait for a new connection. Default: 5000 ms. */
  connectTimeoutMs?: number;
  /** PostgreSQL: statement_timeout (server) and query_timeout (client). Default: 30000 ms. */
  queryTimeoutMs?: number;
  /** PostgreSQL: close idle pooled clients after this long. Default: 30000 ms. */
  idleTimeoutMs?: number;
  /** SQLite busy_timeout: how long a writer waits for another process's lock. Default: 5000 ms. */
  busyTimeoutMs?: number;
  /** Folder with the drizzle migrations of this dialect. Default: `<repo>/drizzle/<sqlite|pg>`. */
  migrationsFolder?: string;
  /**
   * Called with errors the PostgreSQL pool emits for idle clients (server restart, network cut).
   * The pool already discards the client; without a listener Node would crash. Default: ignore.
   */
  onPoolError?: (err: Error) => void;
}

export const DEFAULTS = {
  poolMax: 10,
  connectTimeoutMs: 5_000,
  queryTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  busyTimeoutMs: 5_000,
} as const;

/**
 * The repo's `drizzle/<dialect>` folder: the nearest one above this module. Searched rather than
 * fixed, because this code runs from two depths: packages/db/src/client/ (from source) and inlined
 * into a bundle (apps/<role>/dist/, dist/). Falls back to the source layout's path, so a missing
 * folder is reported with the place it was expected.
 */
export function defaultMigrationsFolder(dialect: 'sqlite' | 'pg'): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    const folder = join(dir, 'drizzle', dialect);
    if (existsSync(join(folder, 'meta', '_journal.json'))) return folder;
    if (dirname(dir) === dir) return join(here, '..', '..', '..', '..', 'drizzle', dialect);
  }
}
