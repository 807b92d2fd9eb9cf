import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';

/**
 * Why two thin implementations (this folder and `../pg/`) instead of one generic one:
 * drizzle's SQLite and PostgreSQL builders are different classes over different table objects,
 * so a single implementation would need casts that switch the type checker off exactly where
 * the SQL is written; and better-sqlite3 transactions are synchronous (an async callback throws),
 * while an emulated async transaction on SQLite's single connection would let statements from
 * concurrent callers slip into it and be rolled back with it. Instead, everything that does not
 * touch SQL (defaults, row construction, batching) lives once in `../shared.ts`, the row types
 * come from one schema, and the contract suite runs unchanged against both.
 */
export type SqliteDb = BetterSQLite3Database<Record<string, never>>;

/**
 * Write transactions start with BEGIN IMMEDIATE: a deferred transaction that reads then writes
 * fails with SQLITE_BUSY (without waiting for busy_timeout) if another process wrote meanwhile.
 */
export const WRITE_TX = { behavior: 'immediate' } as const;
