import type { Database, DatabaseOptions } from '../../src/index.js';

/** What a dialect provides to the contract suite. */
export interface ContractTarget {
  /** A database on fresh, empty storage (temp file / new schema), not yet migrated. */
  db: Database;
  /** Opens another Database on the same storage (a second process, in effect). */
  reopen(overrides?: Partial<DatabaseOptions>): Promise<Database>;
  /** Closes what the target opened and removes the storage. */
  cleanup(): Promise<void>;
}

export type ContractFactory = () => Promise<ContractTarget>;

/** Lazily-set holder: suites register tests at collection time, the target exists from beforeAll. */
export interface ContractContext {
  readonly target: ContractTarget;
  readonly db: Database;
}

let counter = 0;
/** Unique names per test so tests sharing one database never collide. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
