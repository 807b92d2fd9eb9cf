/**
 * Run after `drizzle-kit generate` (part of `npm run db:generate`): drizzle-kit qualifies
 * foreign-key targets as "public"."table", which would bind every install and every test schema
 * to `public`. Unqualified names resolve through search_path instead — `public` in production,
 * the per-test schema in tests. Idempotent; the migration contract test fails if this was skipped.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultMigrationsFolder } from '../client/options.js';

const folder = process.argv[2] ?? defaultMigrationsFolder('pg');
for (const file of readdirSync(folder).filter((name) => name.endsWith('.sql'))) {
  const path = join(folder, file);
  const sql = readFileSync(path, 'utf8');
  const normalized = sql.replaceAll('"public".', '');
  if (normalized !== sql) {
    writeFileSync(path, normalized);
    console.log(`normalized ${path}`);
  }
}
