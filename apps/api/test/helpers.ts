import { createDatabase, type Database } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { createProducerConnection, waitUntilReady } from '@wagw/queue';
import { createTempDir, redisUrl } from '@wagw/testing';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp } from '../src/app.js';

export const TEST_API_KEY = 'test-admin-key-0123456789';

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  redis: Redis;
  close(): Promise<void>;
}

/** A real app on a temp SQLite file and the local Redis; `redisUrlOverride` points Redis elsewhere. */
export async function createTestApp(options: { redisUrlOverride?: string } = {}): Promise<TestApp> {
  const dir = createTempDir('wagw-api-');
  const db = await createDatabase({ url: `file:${dir.path}/wagw.db` });
  await db.migrate();
  const redis = createProducerConnection(options.redisUrlOverride ?? redisUrl(), { connectTimeout: 500 });
  redis.on('error', () => {});
  // Producers have no offline queue: wait for the connection so the first check is not a false alarm.
  if (!options.redisUrlOverride) await waitUntilReady(redis);
  const app = await buildApp({
    config: { apiKey: TEST_API_KEY, bodyLimit: 1024 * 1024, trustProxy: false },
    logger: createLogger({ name: 'api-test', level: 'silent' }),
    db,
    redis,
    healthCheckTimeoutMs: 1000,
  });
  await app.ready();
  return {
    app,
    db,
    redis,
    async close() {
      await app.close();
      await db.close();
      redis.disconnect();
      dir.cleanup();
    },
  };
}
