import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The column builders `defineTables` uses, as SQLite has them. This kit's types are the reference
 * for both dialects: the PostgreSQL kit (`pg.ts`) builds real pg columns at run time and is cast
 * to this type, so the repositories are type-checked once, against these row types. That is
 * sound because every builder here maps to a pg builder with the same TypeScript value type
 * (Date, string, number, boolean, JSON of T) and the contract suite runs every query on both.
 */
export const sqliteKit = {
  table: sqliteTable,
  text,
  integer,
  /** Epoch milliseconds, so a Date round-trips without precision loss. */
  timestamp: (name: string) => integer(name, { mode: 'timestamp_ms' }),
  json: <T>(name: string) => text(name, { mode: 'json' }).$type<T>(),
  boolean: (name: string) => integer(name, { mode: 'boolean' }),
  index,
  uniqueIndex,
  primaryKey,
};

export type ColumnKit = typeof sqliteKit;
