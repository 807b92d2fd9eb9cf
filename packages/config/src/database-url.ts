import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { redactUrl } from './fields.js';

/**
 * The one reader of DATABASE_URL. @wagw/config checks the variable with it at start and @wagw/db
 * opens the database it names, so a value that starts the process is a value the database layer
 * can open.
 */

/** Where the embedded default keeps its data: a SQLite file under ./data/. */
export const DEFAULT_DATABASE_URL = 'file:./data/wagw.db';

export type ParsedDatabaseUrl = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** A DATABASE_URL that names no database we can open; `reason` says why, without the URL. */
export class InvalidDatabaseUrlError extends Error {
  override readonly name = 'InvalidDatabaseUrlError';

  constructor(
    raw: string,
    readonly reason: string,
  ) {
    super(`Invalid database URL "${redactUrl(raw)}": ${reason}`);
  }
}

/**
 * Picks the dialect from the URL (schemes are case-insensitive):
 * - `postgres://` or `postgresql://` → PostgreSQL, the URL handed over as written;
 * - `file:<path>` (`file:./data/wagw.db`, `file:/abs/wagw.db`) → SQLite at that path, taken
 *   literally; `file:///abs/wagw.db` and `file://localhost/...` are real file URLs and are
 *   percent-decoded (a file URL naming another host is refused: SQLite cannot open it);
 * - a bare path, including a Windows drive path (`C:\data\wagw.db`, `C:/data/wagw.db`) and
 *   SQLite's `:memory:` → SQLite.
 * Any other scheme (`mysql://`, `redis://`, and `sqlite:`, which some tools use for what is
 * `file:` here) throws rather than being taken for a file name.
 */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  const value = url.trim();
  if (value === '') throw new InvalidDatabaseUrlError(url, 'it is empty');
  if (/^postgres(ql)?:\/\//i.test(value)) return { dialect: 'postgres', url: value };
  if (/^file:/i.test(value)) return { dialect: 'sqlite', path: fileUrlPath(value) };
  // One letter before the colon is a Windows drive, not a scheme.
  if (/^[a-z]:/i.test(value)) return { dialect: 'sqlite', path: value };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value);
  if (scheme) {
    throw new InvalidDatabaseUrlError(
      value,
      `unsupported scheme "${scheme[1]}:"; use file:<path> (SQLite) or postgres:// (PostgreSQL)`,
    );
  }
  return { dialect: 'sqlite', path: value };
}

function fileUrlPath(value: string): string {
  let path: string;
  if (/^file:\/\//i.test(value)) {
    try {
      path = fileURLToPath(value);
    } catch (err) {
      throw new InvalidDatabaseUrlError(value, err instanceof Error ? err.message : String(err));
    }
  } else {
    path = value.slice('file:'.length);
  }
  if (path === '') throw new InvalidDatabaseUrlError(value, 'file: needs a path after it');
  return path;
}

/** The DATABASE_URL field: trimmed, defaulting to the embedded SQLite file, refused when unreadable. */
export const databaseUrl = z
  .string()
  .trim()
  .default(DEFAULT_DATABASE_URL)
  .transform((raw, ctx) => {
    try {
      parseDatabaseUrl(raw);
      return raw;
    } catch (err) {
      if (!(err instanceof InvalidDatabaseUrlError)) throw err;
      ctx.addIssue({
        code: 'custom',
        message: `expected a file: path (SQLite) or a postgres:// URL, got "${redactUrl(raw)}" (${err.reason})`,
      });
      return z.NEVER;
    }
  });
