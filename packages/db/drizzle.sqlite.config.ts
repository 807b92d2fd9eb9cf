import { defineConfig } from 'drizzle-kit';

// Paths are relative to the repo root: run through `npm run db:generate` from /work/main.
// `dbCredentials` is only used by `drizzle-kit push/studio`; `generate` works offline.
export default defineConfig({
  dialect: 'sqlite',
  schema: './packages/db/src/schema/sqlite.ts',
  out: './drizzle/sqlite',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'file:./data/wagw.db' },
  strict: true,
  verbose: true,
});
