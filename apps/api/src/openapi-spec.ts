import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { createProducerConnection, QUEUES } from '@wagw/queue';
import { Queue } from 'bullmq';
import { buildApp } from './app.js';

/** Where nothing listens: building the app must not need, or touch, a real Redis. */
const NO_REDIS = 'redis://127.0.0.1:1';

/**
 * The OpenAPI document of the app exactly as buildApp() assembles it, without listening and without
 * any real store (a throwaway SQLite file, a Redis connection that never connects). Used by
 * `npm run openapi` (scripts/openapi.ts) and by the test that keeps openapi.json in sync.
 */
export async function buildOpenApiSpec(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'wagw-openapi-'));
  const db = await createDatabase({ url: `file:${join(dir, 'spec.db')}` });
  const redis = createProducerConnection(NO_REDIS, { lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => {});
  const sessionCommands = new Queue(QUEUES.sessionCommands, {
    connection: redis,
    prefix: 'wagw-openapi',
    skipMetasUpdate: true,
  });
  sessionCommands.on('error', () => {});
  try {
    const app = await buildApp({
      config: { apiKey: 'openapi-generation-only', bodyLimit: 1024 * 1024, trustProxy: false },
      logger: createLogger({ name: 'openapi', level: 'silent' }),
      db,
      redis,
      sessionCommands,
      redisPrefix: 'wagw-openapi',
      redisUrl: NO_REDIS,
    });
    await app.ready();
    // A JSON round trip: the in-memory document compares equal to the file as parsed back.
    const spec = JSON.parse(JSON.stringify(app.swagger())) as Record<string, unknown>;
    await app.close();
    return spec;
  } finally {
    await sessionCommands.close().catch(() => {});
    redis.disconnect();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The committed file's exact text: stable key order from the routes, two-space indent, final newline. */
export function formatOpenApiSpec(spec: Record<string, unknown>): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}
