import { sql } from 'drizzle-orm';
import type { drizzle, NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { isDatabaseUnavailable } from '../client/unavailable.js';
import type { Tables } from '../schema/tables.js';
import type { Executor, PreparedBuild, QueryBuilder } from './executor.js';

/**
 * Where transactions get a connection of their own: the pool, and drizzle's wrapper for one
 * client (passed in: pg.client.ts loads drizzle's PostgreSQL driver only for a PostgreSQL URL).
 */
export interface OwnConnections {
  pool: pg.Pool;
  wrap: typeof drizzle;
}

type PgQueryRunner = NodePgDatabase<Record<string, never>> | PgTransaction<never, never, never>;

/**
 * A transaction on a connection of its own. drizzle's pool path (0.45) sends BEGIN before its
 * try/finally, so a BEGIN that fails (server gone, connection cut) never releases the connection:
 * ten such failures during an outage exhaust the pool for good, and the process does not recover
 * without a restart. Here the connection is always released, and destroyed when it failed.
 */
async function onOwnConnection<T>(
  { pool, wrap }: OwnConnections,
  work: (db: NodePgDatabase) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // pg-pool listens for errors of idle clients only: a connection cut while checked out would emit
  // an unhandled 'error' (a process crash); the failing query reports it anyway.
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    return await work(wrap({ client }));
  } catch (err) {
    if (err instanceof Error && isDatabaseUnavailable(err)) broken = err;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** `p(name)` for PostgreSQL: the value itself (queries are built per call there). */
const boundValues =
  (values: Record<string, unknown>) =>
  <V>(name: string): V => {
    if (!(name in values)) throw new Error(`No value for placeholder "${name}" was provided`);
    return values[name] as V;
  };

/** PostgreSQL executor: the pool (or one transaction's connection) runs each statement. */
export function createPgExecutor(
  db: NodePgDatabase<Record<string, never>>,
  tables: Tables,
  connections?: OwnConnections,
): Executor {
  function make(runner: PgQueryRunner): Executor {
    return {
      dialect: 'postgres',
      // The same builder calls on pg's classes: see QueryBuilder.
      db: runner as unknown as QueryBuilder,
      tables,
      all: async (query) => await query,
      first: async (query) => (await query)[0] ?? null,
      run: async (query) => {
        await query;
      },
      // A select or `returning` resolves to its rows; an insert without `returning` to a result: none.
      prepared: async <T>(_key: string, build: PreparedBuild<T>, values: Record<string, unknown>) => {
        const result = await build(runner as unknown as QueryBuilder, boundValues(values));
        return Array.isArray(result) ? (result as T[]) : [];
      },
      transaction: (work) =>
        connections && runner === db
          ? onOwnConnection(connections, (own) => own.transaction((tx) => work(make(tx as never))))
          : runner.transaction((tx) => work(make(tx))),
      forUpdate: (select) => (select as unknown as { for(strength: 'update'): typeof select }).for('update'),
      // hashtext: a key of any length as the 32-bit number advisory locks take (collisions only serialise).
      lock: async (key) => {
        await runner.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
      },
      // node-postgres serialises a Date itself.
      rawTime: (date) => date,
    };
  }
  return make(db);
}
