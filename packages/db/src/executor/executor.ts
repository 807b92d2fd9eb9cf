import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { Tables } from '../schema/tables.js';

/**
 * drizzle's query builder as the repositories see it. Typed as the SQLite one: both dialects'
 * tables come from one description typed by the SQLite column kit (see schema/column-kit.ts), and
 * the calls the repositories make (select/insert/update/delete, where, orderBy, limit, returning,
 * onConflictDo*) exist with the same meaning on PostgreSQL's builder. Queries are built here and
 * handed to the executor, which runs them; never `await` a built query directly (see `Executor`).
 */
export type QueryBuilder = BetterSQLite3Database<Record<string, never>>;

/**
 * What truly differs between the dialects, and nothing else. Repositories are written once
 * against this; each dialect implements it in a short file.
 *
 * Every statement goes through `all`, `first` or `run` because on SQLite they are how a statement
 * waits for a transaction in progress: better-sqlite3 has one connection per process, so a
 * statement of a concurrent caller issued while another caller's transaction awaits would run
 * inside that transaction (and be rolled back with it). Inside `transaction`, use the executor it
 * passes (`tx`), never the outer one: the outer one waits for the transaction to end.
 */
/** `p(name)` is `values[name]`: a placeholder on SQLite, the value itself on PostgreSQL. */
export type PreparedBuild<T> = (
  db: QueryBuilder,
  p: <V>(name: string) => V,
) => PromiseLike<T[]> | PromiseLike<unknown>;

export interface Executor {
  readonly dialect: 'sqlite' | 'postgres';
  readonly db: QueryBuilder;
  readonly tables: Tables;
  /** Runs a built query and returns its rows. */
  all<T>(query: PromiseLike<T[]>): Promise<T[]>;
  /** The first row or null; add `.limit(1)` to selects so the server stops there. */
  first<T>(query: PromiseLike<T[]>): Promise<T | null>;
  /** Runs a statement for its effect. */
  run(query: PromiseLike<unknown>): Promise<void>;
  /**
   * A hot query, kept built: `build` gets the builder and `p(name)`, which stands for
   * `values[name]`. SQLite builds it once per `key` with placeholders and drizzle's `.prepare()`,
   * then only binds `values`: building SQL text was the largest share of drizzle's cost per
   * message sent (docs/benchmarks.md). PostgreSQL builds it with the values every time, as `all`
   * does (each call may run on another connection). `key` names one SQL text: whatever changes the
   * text (a column set or not, the length of a list) belongs in the key, values never.
   */
  prepared<T>(key: string, build: PreparedBuild<T>, values: Record<string, unknown>): Promise<T[]>;
  /**
   * A write transaction: committed when `work` resolves, rolled back when it throws. SQLite:
   * BEGIN IMMEDIATE (a deferred transaction that reads then writes fails with SQLITE_BUSY at once
   * if another process wrote meanwhile), with this process's other statements held until it ends.
   * PostgreSQL: a pooled connection's transaction.
   */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
  /**
   * Locks the selected rows until the transaction ends (SELECT … FOR UPDATE). SQLite needs none:
   * its write transaction already excludes every other writer.
   */
  forUpdate<Q>(select: Q): Q;
  /**
   * Inside a transaction: waits for, then holds until it ends, a lock named `key`, so transactions
   * that decide something about one shared fact (is this batch settled?) take turns and each sees
   * what the one before committed. PostgreSQL: a transaction-scoped advisory lock. SQLite needs
   * none: its write transaction already excludes every other writer.
   */
  lock(key: string): Promise<void>;
  /** A Date as a raw `sql` parameter: drizzle's column mapping does not apply there. */
  rawTime(date: Date): number | Date;
}
