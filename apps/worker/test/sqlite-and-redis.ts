import { createDatabase, type Database } from '@wagw/db';
import { createProducerConnection, type RedisConnection, scanKeys, waitUntilReady } from '@wagw/queue';
import { redisUrl, tempSqliteUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, beforeAll } from 'vitest';

/**
 * A migrated SQLite file in a temp dir and a Redis connection with a key prefix of its own, for a
 * test file that runs worker parts against the real stores; removed (file, keys) after the file.
 * Read `db` and `redis` inside tests: they are set in beforeAll.
 */
export function useSqliteAndRedis(name: string) {
  const sqlite = tempSqliteUrl();
  const stores = { prefix: uniquePrefix(name) } as { prefix: string; db: Database; redis: RedisConnection };
  beforeAll(async () => {
    stores.db = await createDatabase({ url: sqlite.url });
    await stores.db.migrate();
    stores.redis = createProducerConnection(redisUrl());
    await waitUntilReady(stores.redis);
  });
  afterAll(async () => {
    for await (const keys of scanKeys(stores.redis, `${stores.prefix}:*`, 500))
      await stores.redis.del(...keys);
    stores.redis.disconnect();
    await stores.db.close();
    sqlite.cleanup();
  });
  return stores;
}
