import { createDatabase, type Database } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { createProducerConnection, QUEUES, type RedisConnection, waitUntilReady } from '@wagw/queue';
import { createTempDir, redisUrl, uniquePrefix } from '@wagw/testing';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { type AppDeps, buildApp } from '../src/app.js';

export const TEST_API_KEY = 'test-admin-key-0123456789';
export const AUTH = { 'x-api-key': TEST_API_KEY };

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  redis: RedisConnection;
  sessionCommands: Queue;
  /** Unique per app: this app's queue and keys never meet another test's. */
  prefix: string;
  close(): Promise<void>;
}

export interface TestAppOptions
  extends Partial<
    Pick<
      AppDeps,
      | 'pairingWaitMs'
      | 'maxEventStreams'
      | 'maxEventStreamsPerKey'
      | 'eventStreamPingMs'
      | 'webhooks'
      | 'dashboardDistDir'
      | 'serverOptions'
    >
  > {
  /** Points Redis elsewhere (e.g. redis://127.0.0.1:1, where nothing listens). */
  redisUrlOverride?: string;
  /** Default: a temp SQLite file. A PostgreSQL URL for dialect-specific tests (caller drops it). */
  databaseUrl?: string;
  /** Share another app's prefix (a second replica on the same Redis). Default: a unique prefix. */
  prefix?: string;
  /** Operations settings (REQUEST_TIMEOUT, METRICS_TOKEN, METRICS_PUBLIC, STALE_SESSION_AGE) and load shedding. */
  config?: Partial<
    Pick<AppDeps['config'], 'requestTimeoutMs' | 'metricsToken' | 'metricsPublic' | 'staleSessionAgeMs'>
  > &
    // AUTH_FAILURES_PER_MINUTE (default here: 0, off: every test file calls from 127.0.0.1).
    Partial<Pick<AppDeps['config'], 'authFailuresPerMinute'>> &
    // RATE_LIMIT_PER_MINUTE (default here: 0, off, so load tests are not throttled) and BULL_BOARD_READ_ONLY.
    Partial<Pick<AppDeps['config'], 'rateLimitPerMinute' | 'bullBoardReadOnly'>> &
    // DASHBOARD_SESSION_TTL and DASHBOARD_COOKIE_SECRET (default: derived from TEST_API_KEY), TRUST_PROXY.
    Partial<Pick<AppDeps['config'], 'dashboard' | 'trustProxy'>> &
    // BODY_LIMIT (default here: 1 MiB) and BULK_BODY_LIMIT.
    Partial<Pick<AppDeps['config'], 'bodyLimit' | 'bulkBodyLimit'>>;
  loadShedding?: AppDeps['loadShedding'];
  /** Default: a silent logger. */
  logger?: AppDeps['logger'];
  /** Adds test-only routes to the built app before it is ready (they never exist in src/). */
  routes?: (app: FastifyInstance) => void;
}

/** A real app on a temp SQLite file (or the given database) and the local Redis. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = createTempDir('wagw-api-');
  const db = await createDatabase({ url: options.databaseUrl ?? `file:${dir.path}/wagw.db` });
  await db.migrate();
  const url = options.redisUrlOverride ?? redisUrl();
  const prefix = options.prefix ?? uniquePrefix('api');
  const redis = createProducerConnection(url, { connectTimeout: 500 });
  redis.on('error', () => {});
  // Producers have no offline queue: wait for the connection so the first check is not a false alarm.
  if (!options.redisUrlOverride) await waitUntilReady(redis);
  const sessionCommands = new Queue(QUEUES.sessionCommands, { connection: redis, prefix });
  sessionCommands.on('error', () => {});
  // BullMQ writes the queue's meta hash asynchronously after connecting; waiting for it (getVersion
  // does) keeps that write from landing after close() deleted this prefix's keys.
  if (!options.redisUrlOverride) await sessionCommands.getVersion();
  const app = await buildApp({
    config: {
      apiKey: TEST_API_KEY,
      bodyLimit: 1024 * 1024,
      trustProxy: false,
      rateLimitPerMinute: 0,
      authFailuresPerMinute: 0,
      ...options.config,
    },
    logger: options.logger ?? createLogger({ name: 'api-test', level: 'silent' }),
    db,
    redis,
    sessionCommands,
    redisPrefix: prefix,
    redisUrl: url,
    healthCheckTimeoutMs: 1000,
    pairingWaitMs: options.pairingWaitMs,
    maxEventStreams: options.maxEventStreams,
    maxEventStreamsPerKey: options.maxEventStreamsPerKey,
    eventStreamPingMs: options.eventStreamPingMs,
    webhooks: options.webhooks,
    dashboardDistDir: options.dashboardDistDir,
    serverOptions: options.serverOptions,
    // Off unless a test sets it: parallel test files load the machine, and a shed request would
    // fail a test about something else (load-shedding.test.ts turns it on).
    loadShedding: options.loadShedding ?? { maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 },
  });
  options.routes?.(app);
  await app.ready();
  return {
    app,
    db,
    redis,
    sessionCommands,
    prefix,
    async close() {
      await app.close();
      if (redis.status === 'ready') {
        await sessionCommands.obliterate({ force: true });
        await deleteKeys(redis, `${prefix}:*`);
      }
      await sessionCommands.close();
      await db.close();
      redis.disconnect();
      dir.cleanup();
    },
  };
}

async function deleteKeys(redis: RedisConnection, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** A plain connection for the test's own reads, writes and subscriptions. */
export function testRedis(): Redis {
  return new Redis(redisUrl());
}

/** Subscribes to `channel` and collects every message, until `stop()`. */
export async function collectMessages(channel: string) {
  const subscriber = testRedis();
  const messages: string[] = [];
  subscriber.on('message', (_channel: string, message: string) => messages.push(message));
  await subscriber.subscribe(channel);
  return {
    messages,
    /** True once `message` arrived (pub/sub delivery is asynchronous), false after `timeoutMs`. */
    async received(message: string, timeoutMs = 2000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (!messages.includes(message) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      return messages.includes(message);
    },
    stop: () => subscriber.quit(),
  };
}
