import { z } from 'zod';
import { redactUrl } from './fields.js';

/** Where the embedded default keeps its data: a SQLite file under ./data/. */
export const DEFAULT_DATABASE_URL = 'file:./data/wagw.db';

export type DatabaseDialect = 'sqlite' | 'postgres';

/** Which dialect a DATABASE_URL selects, or undefined when it selects none we support. */
export function dialectOf(raw: string): DatabaseDialect | undefined {
  if (/^postgres(ql)?:\/\//i.test(raw)) return 'postgres';
  if (raw.startsWith('file:')) return 'sqlite';
  // A bare filesystem path (no scheme) is a SQLite file too.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(raw)) return 'sqlite';
  return undefined;
}

export const databaseUrl = z
  .string()
  .trim()
  .default(DEFAULT_DATABASE_URL)
  .transform((raw, ctx) => {
    if (raw === '' || dialectOf(raw) === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a file: path (SQLite) or a postgres:// URL, got "${redactUrl(raw)}"`,
      });
      return z.NEVER;
    }
    return raw;
  });
