import type { Executor } from '../executor/executor.js';
import type { Message } from './repository-types.js';

/**
 * `{ column: p(column) }` for every key of a row, for `Executor.prepared`: every value bound except
 * nulls, which stay NULL in the SQL text (drizzle would pass a bound null through the column's
 * mapping, and a timestamp's mapping does not take null). The text then depends only on which
 * columns the row has and which of them are null: `rowKey`.
 */
export function placeholdersFor<R extends Record<string, unknown>>(row: R, p: <V>(name: string) => V): R {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [column, value === null ? null : p(column)]),
  ) as R;
}

/** The key naming the SQL text `placeholdersFor` gives an insert of `row` into `table`. */
export function rowKey(table: string, row: Record<string, unknown>): string {
  const columns = Object.entries(row).map(([column, value]) => (value === null ? `${column}=null` : column));
  return `${table}.insert:${columns.join(',')}`;
}

/**
 * Inserts one message row as `messageRow` makes it (every column set) through a statement kept built:
 * a send's insert built its SQL text anew on every request (docs/benchmarks.md, API send).
 */
export async function insertFullRow(x: Executor, row: Message): Promise<void> {
  await x.prepared(
    rowKey('messages', row),
    (db, p) => db.insert(x.tables.messages).values(placeholdersFor(row, p)),
    row,
  );
}
