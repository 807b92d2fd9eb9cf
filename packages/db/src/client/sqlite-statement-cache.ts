import type BetterSqlite3 from 'better-sqlite3';

/** Statements kept; the hot paths use a few dozen distinct ones. */
const MAX_STATEMENTS = 256;
/** Longer SQL is a multi-row insert whose text changes with its row count: not worth keeping. */
const MAX_SQL_LENGTH = 4096;

/**
 * Makes `client.prepare` return a statement already compiled for the same SQL text.
 *
 * drizzle prepares a new better-sqlite3 statement for every query it runs (a built query is not
 * reused), so the few statements of the hot paths (a send's row read and compare-and-sets, the
 * Signal key writes, the event outbox) were compiled again for every message: about 4 % of a
 * sending worker's CPU in its profile (docs/benchmarks.md). A statement is reusable once its call
 * returned (better-sqlite3 is synchronous, and nothing here iterates one lazily); the only state a
 * caller may leave on it is drizzle's `raw()` row mode, reset here before it is handed out again.
 * Bounded: the least recently used statement leaves first.
 */
export function cacheStatements(client: BetterSqlite3.Database): { readonly size: number } {
  const compile = client.prepare.bind(client) as (
    source: string,
    ...rest: unknown[]
  ) => BetterSqlite3.Statement;
  const cache = new Map<string, BetterSqlite3.Statement>();

  // An own property shadows the prototype's method. better-sqlite3's pragma() calls prepare with
  // extra arguments (its pragma mode): those go straight through.
  client.prepare = ((source: string, ...rest: unknown[]) => {
    if (rest.length > 0 || source.length > MAX_SQL_LENGTH) return compile(source, ...rest);
    const kept = cache.get(source);
    if (kept) {
      cache.delete(source);
      cache.set(source, kept);
      if (kept.reader) kept.raw(false);
      return kept;
    }
    const statement = compile(source);
    cache.set(source, statement);
    if (cache.size > MAX_STATEMENTS) cache.delete(cache.keys().next().value as string);
    return statement;
  }) as BetterSqlite3.Database['prepare'];

  return {
    get size() {
      return cache.size;
    },
  };
}
