import type { NodePgDatabase } from 'drizzle-orm/node-postgres';

/** See `../sqlite/db.ts` for why each dialect has its own thin implementation. */
export type PgDb = NodePgDatabase<Record<string, never>>;
