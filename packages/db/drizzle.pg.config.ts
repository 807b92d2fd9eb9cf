import { defineConfig } from 'drizzle-kit';

// Paths are relative to the repo root: run through `npm run db:generate` from /work/main.
// `dbCredentials` is only used by `drizzle-kit push/studio`; `generate` works offline.
export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/db/src/schema/pg.ts',
  out: './drizzle/pg',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/wagw' },
  strict: true,
  verbose: true,
});
