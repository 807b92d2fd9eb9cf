import { tempSqliteUrl } from '@wagw/testing';
import { createDatabase, type Database } from '../src/index.js';
import { describeRepositoryContract } from './contract/repository-contract.js';

describeRepositoryContract('sqlite', async () => {
  const tmp = tempSqliteUrl();
  const db = await createDatabase({ url: tmp.url });
  const opened: Database[] = [db];
  return {
    db,
    async reopen(overrides) {
      const other = await createDatabase({ url: tmp.url, ...overrides });
      opened.push(other);
      return other;
    },
    async cleanup() {
      for (const d of opened) await d.close();
      tmp.cleanup();
    },
  };
});
