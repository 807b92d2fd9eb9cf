import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import type { Tables } from '../schema/tables.js';
import type { Executor, QueryBuilder } from './executor.js';

type PgQueryRunner = NodePgDatabase<Record<string, never>> | PgTransaction<never, never, never>;

/** PostgreSQL executor: the pool (or one transaction's connection) runs each statement. */
export function createPgExecutor(db: NodePgDatabase<Record<string, never>>, tables: Tables): Executor {
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
      transaction: (work) => runner.transaction((tx) => work(make(tx))),
      forUpdate: (select) => (select as unknown as { for(strength: 'update'): typeof select }).for('update'),
      // node-postgres serialises a Date itself.
      rawTime: (date) => date,
    };
  }
  return make(db);
}
