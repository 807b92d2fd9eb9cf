import { createDatabase } from '@wagw/db';
import { createPgSchema } from '@wagw/testing';
import { describeMaintenanceTasks } from './maintenance-tasks.suite.js';

// No skip when PostgreSQL is down: createPgSchema throws and the suite fails.
describeMaintenanceTasks('postgres', async () => {
  const pg = await createPgSchema();
  const db = await createDatabase({ url: pg.baseUrl, schema: pg.schema, poolMax: 4 });
  await db.migrate();
  return {
    db,
    async cleanup() {
      await db.close();
      await pg.drop();
    },
  };
});
