import { fileURLToPath } from 'node:url';

export type ParsedDatabaseUrl = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/**
 * Picks the dialect from the URL: `postgres://` / `postgresql://` → PostgreSQL; `file:` URLs
 * (`file:./data/wagw.db`, `file:///abs/wagw.db`) or a bare path → SQLite. Any other scheme
 * (mysql://, redis://, ...) is rejected here rather than silently treated as a file name.
 */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  const value = url.trim();
  if (value === '') throw new Error('Database URL is empty: expected file:<path>, a path, or postgres://...');
  if (/^postgres(ql)?:\/\//i.test(value)) return { dialect: 'postgres', url: value };
  if (/^file:\/\//i.test(value)) return { dialect: 'sqlite', path: fileURLToPath(value) };
  if (/^file:/i.test(value)) return { dialect: 'sqlite', path: value.slice('file:'.length) };
  // A scheme is letters followed by ':' — but keep Windows drive letters (C:\) as paths.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(value);
  if (scheme) {
    throw new Error(
      `Unsupported database URL scheme "${scheme[1]}:": use file:<path> (SQLite) or postgres:// (PostgreSQL)`,
    );
  }
  return { dialect: 'sqlite', path: value };
}

/** Removes the password from a URL for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
