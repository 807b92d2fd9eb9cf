import { createPgSchema } from '@wagw/testing';
import { createDatabase, type Database } from '../src/index.js';
import { describeRepositoryContract } from './contract/repository-contract.js';

// No skip when PostgreSQL is down: createPgSchema throws and every test of the suite fails.
describeRepositoryContract('postgres', async () => {
  const pg = await createPgSchema();
  const open = (overrides = {}) =>
    createDatabase({ url: pg.baseUrl, schema: pg.schema, poolMax: 4, ...overrides });
  const db = await open();
  const opened: Database[] = [db];
  return {
    db,
    async reopen(overrides) {
      const other = await open(overrides);
      opened.push(other);
      return other;
    },
    async cleanup() {
      for (const d of opened) await d.close();
      await pg.drop();
    },
  };
});
