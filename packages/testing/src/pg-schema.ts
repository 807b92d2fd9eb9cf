import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Test PostgreSQL server. Default: postgres://postgres@127.0.0.1:5432/test (env TEST_DATABASE_URL). */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export interface PgSchema {
  /**
   * Connection URL that selects the schema by itself (`options=-c search_path=<schema>`), so it
   * also works as DATABASE_URL for a spawned process; @wagw/db reads the schema back from it.
   */
  url: string;
  /** The server URL without the schema option. */
  baseUrl: string;
  /** `t_<random>`: unique per call, so parallel test files never share tables. */
  schema: string;
  /** DROP SCHEMA ... CASCADE. Idempotent. Close your own pools first (they hold locks). */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    // The pg contract suite must fail loudly, never skip, when the server is missing.
    throw new Error(`PostgreSQL for tests is unreachable at ${url} (set TEST_DATABASE_URL)`, { cause: err });
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a uniquely named, empty schema on the test server. */
export async function createPgSchema(baseUrl: string = testDatabaseUrl()): Promise<PgSchema> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await withClient(baseUrl, (client) => client.query(`CREATE SCHEMA "${schema}"`));
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  let dropped = false;
  return {
    url: url.toString(),
    baseUrl,
    schema,
    async drop() {
      if (dropped) return;
      await withClient(baseUrl, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      dropped = true;
    },
  };
}
