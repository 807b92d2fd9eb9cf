import { createDatabase, type Database, type DeadLetterInput } from '@wagw/db';
import { createProducerConnection, type RedisConnection, waitUntilReady } from '@wagw/queue';
import { createPgSchema, redisUrl, tempSqliteUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  applyDeadLetterRetention,
  cleanupIdempotencyKeys,
  type MaintenanceDeps,
  RecordRetentionError,
  runMaintenanceTask,
} from '../src/index.js';

const DAY_MS = 24 * 3600_000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh, migrated database per test (so counts are exact), and a second handle on it that can be closed. */
interface Dialect {
  db: Database;
  /** The same storage through another handle (closed in a test: a database that cannot answer). */
  other(): Promise<Database>;
  cleanup(): Promise<void>;
}

const dialects: Record<string, () => Promise<Dialect>> = {
  sqlite: async () => {
    const tmp = tempSqliteUrl();
    const db = await createDatabase({ url: tmp.url });
    await db.migrate();
    return {
      db,
      other: () => createDatabase({ url: tmp.url }),
      async cleanup() {
        await db.close();
        tmp.cleanup();
      },
    };
  },
  postgres: async () => {
    const pg = await createPgSchema();
    const open = () => createDatabase({ url: pg.baseUrl, schema: pg.schema, poolMax: 2 });
    const db = await open();
    await db.migrate();
    return {
      db,
      other: open,
      async cleanup() {
        await db.close();
        await pg.drop();
      },
    };
  },
};

const prefix = uniquePrefix('record-retention');
const redis: RedisConnection = createProducerConnection(redisUrl());
beforeAll(() => waitUntilReady(redis));
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe.each(Object.keys(dialects))('record retention (%s)', (dialect) => {
  let target: Dialect;
  beforeAll(async () => {
    target = await dialects[dialect]!();
  });
  afterAll(() => target?.cleanup());
  const repos = () => target.db.repos;
  let n = 0;

  async function keys(count: number, expiresAt: Date): Promise<void> {
    for (let i = 0; i < count; i++) {
      n += 1;
      await repos().idempotencyKeys.begin({ scope: 'admin', key: `k${n}`, requestHash: 'h', expiresAt });
    }
  }
  const letter = (): DeadLetterInput => {
    n += 1;
    return {
      webhookId: 'config',
      sessionId: null,
      eventId: `evt-${n}`,
      event: 'message.received',
      payload: { n },
      attempts: 3,
      lastStatus: 500,
      lastResponse: null,
      lastError: 'HTTP 500',
    };
  };
  const deadCount = async () => {
    const counts = await repos().deadLetters.countByStatus();
    return Object.values(counts).reduce((a, b) => a + b, 0);
  };

  afterEach(async () => {
    await repos().idempotencyKeys.deleteExpired(new Date(Date.now() + 1000 * DAY_MS));
    await repos().deadLetters.deleteOlderThan(new Date(Date.now() + DAY_MS), 100_000);
  });

  it('idempotency keys: deletes only expired ones, in batches, and stops at the per-run limit', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    await keys(7, new Date(now.getTime() - 1));
    await keys(3, new Date(now.getTime() + 1));
    const first = await cleanupIdempotencyKeys({
      repos: repos(),
      now: () => now,
      batchSize: 2,
      maxDeletesPerRun: 5,
    });
    expect(first).toMatchObject({ deleted: 5, batches: 3, stoppedBy: 'limit', cutoff: now.toISOString() });
    // The next run carries on, until a short batch (here an empty one) says nothing is left.
    const second = await cleanupIdempotencyKeys({ repos: repos(), now: () => now, batchSize: 2 });
    expect(second).toMatchObject({ deleted: 2, batches: 2, stoppedBy: 'end', changed: 2 });
    expect(await repos().idempotencyKeys.deleteExpired(new Date(now.getTime() + 2))).toBe(3);
  });

  it('dead letters: deletes those unchanged for DEAD_LETTER_RETENTION_DAYS, keeps newer ones', async () => {
    for (let i = 0; i < 5; i++) await repos().deadLetters.record(letter());
    const between = new Date();
    await pause(30);
    for (let i = 0; i < 2; i++) await repos().deadLetters.record(letter());
    // 30 days and 10 ms after `between`: the first five are past the period, the last two are not.
    const clock = () => new Date(between.getTime() + 30 * DAY_MS + 10);
    const report = await applyDeadLetterRetention({
      repos: repos(),
      retentionDays: 30,
      now: clock,
      batchSize: 2,
    });
    expect(report).toMatchObject({ deleted: 5, batches: 3, stoppedBy: 'end' });
    expect(report.cutoff).toBe(new Date(between.getTime() + 10).toISOString());
    expect(await deadCount()).toBe(2);
  });

  it('dead letters: 0 days keeps everything, whatever the clock says', async () => {
    await repos().deadLetters.record(letter());
    const report = await applyDeadLetterRetention({
      repos: repos(),
      retentionDays: 0,
      now: () => new Date(Date.now() + 10_000 * DAY_MS),
    });
    expect(report).toEqual({ cutoff: null, deleted: 0, batches: 0, stoppedBy: 'disabled', changed: 0 });
    expect(await deadCount()).toBe(1);
  });

  it('a database that cannot answer deletes nothing: the run fails with what it did', async () => {
    await repos().deadLetters.record(letter());
    await keys(2, new Date(Date.now() - 1000));
    const broken = await target.other();
    await broken.close();
    const future = () => new Date(Date.now() + 365 * DAY_MS);
    const failure = await applyDeadLetterRetention({
      repos: broken.repos,
      retentionDays: 30,
      now: future,
    }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RecordRetentionError);
    expect((failure as RecordRetentionError).report).toMatchObject({ deleted: 0, batches: 0 });
    await expect(cleanupIdempotencyKeys({ repos: broken.repos })).rejects.toBeInstanceOf(
      RecordRetentionError,
    );
    expect(await deadCount()).toBe(1);
    expect(await repos().idempotencyKeys.deleteExpired(new Date())).toBe(2);
  });

  it('runs as maintenance tasks under their run locks, with DEAD_LETTER_RETENTION_DAYS from the deps', async () => {
    await repos().deadLetters.record(letter());
    await keys(3, new Date(Date.now() - 1000));
    const deps = {
      repos: repos(),
      redis,
      prefix: `${prefix}:${dialect}`,
      deadLetterRetentionDays: 1,
      now: () => new Date(Date.now() + 2 * DAY_MS),
    } as unknown as MaintenanceDeps;
    const keysRun = await runMaintenanceTask('idempotency-key-cleanup', deps);
    expect(keysRun).toMatchObject({ task: 'idempotency-key-cleanup', nudged: false, result: { deleted: 3 } });
    const lettersRun = await runMaintenanceTask('dead-letter-retention', deps);
    expect(lettersRun).toMatchObject({
      task: 'dead-letter-retention',
      result: { deleted: 1, stoppedBy: 'end' },
    });
    expect(await deadCount()).toBe(0);
  });
});
