import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { Tables } from '../schema/tables.js';
import type { Executor, PreparedBuild, QueryBuilder } from './executor.js';

/** drizzle's prepared better-sqlite3 query, as far as it is used here. */
interface KeptQuery {
  all(values: Record<string, unknown>): unknown[];
  run(values: Record<string, unknown>): unknown;
  /** better-sqlite3's statement: `reader` when it returns rows (a select, or `returning`). */
  stmt: { reader: boolean };
}
/** Distinct prepared queries kept per process (the hot paths use a handful). */
const MAX_KEPT = 64;

/**
 * SQLite executor over one better-sqlite3 connection. better-sqlite3 runs each statement
 * synchronously, so a transaction is only "open across awaits" because the repositories are
 * async; the gate below makes every other statement of this process wait for it to end, which is
 * what a pooled PostgreSQL connection gives for free.
 */
export function createSqliteExecutor(
  db: QueryBuilder,
  client: BetterSqlite3.Database,
  tables: Tables,
): Executor {
  let gate: Promise<void> | null = null;
  const kept = new Map<string, KeptQuery>();

  /** The query `build` makes, built once with placeholders (see Executor.prepared). */
  function keptQuery(key: string, build: PreparedBuild<unknown>): KeptQuery {
    let query = kept.get(key);
    if (!query) {
      const placeholder = <V>(name: string) => sql.placeholder(name) as unknown as V;
      query = (build(db, placeholder) as unknown as { prepare(): KeptQuery }).prepare();
      // Keys name query shapes, a bounded set; the bound only guards against a key built from data.
      if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value as string);
      kept.set(key, query);
    }
    return query;
  }

  // No await may stand between the `gate` check and what follows it: awaiting a built query
  // calls its `then`, which runs the statement synchronously, so check-then-run is atomic.
  async function afterGate<T>(query: PromiseLike<T>): Promise<T> {
    while (gate) await gate;
    return await query;
  }

  function make(inTransaction: boolean): Executor {
    const exec = <T>(query: PromiseLike<T>): Promise<T> =>
      inTransaction ? Promise.resolve(query) : afterGate(query);
    const self: Executor = {
      dialect: 'sqlite',
      db,
      tables,
      all: (query) => exec(query),
      first: async (query) => (await exec(query))[0] ?? null,
      run: async (query) => {
        await exec(query);
      },
      async prepared<T>(key: string, build: PreparedBuild<T>, values: Record<string, unknown>) {
        const query = keptQuery(key, build as PreparedBuild<unknown>);
        // As in afterGate: nothing awaited between the gate check and the synchronous run.
        if (!inTransaction) while (gate) await gate;
        if (query.stmt.reader) return query.all(values) as T[];
        query.run(values);
        return [];
      },
      async transaction(work) {
        // Already inside one: SQLite has no nested transactions; the work joins the outer one.
        if (inTransaction) return work(self);
        while (gate) await gate;
        let open!: () => void;
        gate = new Promise((resolve) => {
          open = resolve;
        });
        try {
          client.exec('BEGIN IMMEDIATE');
          try {
            const result = await work(inside);
            client.exec('COMMIT');
            return result;
          } catch (err) {
            if (client.inTransaction) client.exec('ROLLBACK');
            throw err;
          }
        } finally {
          gate = null;
          open();
        }
      },
      forUpdate: (select) => select,
      lock: async () => undefined,
      rawTime: (date) => date.getTime(),
    };
    return self;
  }

  const inside = make(true);
  return make(false);
}
