import { createDatabase } from '@wagw/db';
import { tempSqliteUrl } from '@wagw/testing';
import { describeMaintenanceTasks } from './maintenance-tasks.suite.js';

describeMaintenanceTasks('sqlite', async () => {
  const tmp = tempSqliteUrl();
  const db = await createDatabase({ url: tmp.url });
  await db.migrate();
  return {
    db,
    async cleanup() {
      await db.close();
      tmp.cleanup();
    },
  };
});
