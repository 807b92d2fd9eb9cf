/**
 * `npm run db:migrate`: applies pending migrations to the database named by DATABASE_URL
 * (default `file:./data/wagw.db`, relative to the current directory) and exits.
 * The apps also migrate at start; this is for operators and deploy pipelines.
 */
import { DEFAULT_DATABASE_URL, redactUrl } from '@wagw/config';
import { createDatabase } from '../client/create-database.js';

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const db = await createDatabase({ url });
try {
  const started = performance.now();
  await db.migrate();
  console.log(`migrated ${db.dialect} ${redactUrl(url)} in ${Math.round(performance.now() - started)} ms`);
} catch (err) {
  console.error(`migration failed for ${redactUrl(url)}:`, err);
  process.exitCode = 1;
} finally {
  await db.close();
}
