import type BetterSqlite3 from 'better-sqlite3';
import type { Tables } from '../schema/tables.js';
import type { Executor, QueryBuilder } from './executor.js';

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
