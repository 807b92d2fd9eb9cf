import { createDatabase, type Database, type NewMessage } from '@wagw/db';
import {
  createLeaseStore,
  createProducerConnection,
  enqueue,
  type RedisConnection,
  SEND_QUEUE_JOBS,
  sendMessageJob,
  sendQueueName,
  waitUntilReady,
} from '@wagw/queue';
import { createPgSchema, redisUrl, tempSqliteUrl, uniquePrefix } from '@wagw/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileOutbox, runMaintenanceTask } from '../src/index.js';

const GRACE_MS = 30_000;

interface Target {
  db: Database;
  cleanup(): Promise<void>;
}

const dialects: Array<[string, () => Promise<Target>]> = [
  [
    'sqlite',
    async () => {
      const tmp = tempSqliteUrl();
      const db = await createDatabase({ url: tmp.url });
      const cleanup = async () => {
        await db.close();
        tmp.cleanup();
      };
      return { db, cleanup };
    },
  ],
  [
    'postgres',
    async () => {
      const pg = await createPgSchema();
      const db = await createDatabase({ url: pg.baseUrl, schema: pg.schema, poolMax: 4 });
      const cleanup = async () => {
        await db.close();
        await pg.drop();
      };
      return { db, cleanup };
    },
  ],
];

describe.each(dialects)('outbox reconciliation (%s)', (dialect, open) => {
  const prefix = uniquePrefix(`outbox-${dialect}`);
  let target: Target;
  let redis: RedisConnection;
  const queues: Queue[] = [];

  beforeAll(async () => {
    target = await open();
    await target.db.migrate();
    redis = createProducerConnection(redisUrl());
    await waitUntilReady(redis);
  });

  afterAll(async () => {
    for (const queue of queues) {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
    await target?.cleanup();
    if (!redis) return;
    const left = await redis.keys(`${prefix}:*`);
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
  });

  function sendQueue(sessionId: string): Queue {
    const queue = new Queue(sendQueueName(sessionId), { connection: redis, prefix });
    queues.push(queue);
    return queue;
  }

  /** Rows as the API writes them, created `ageMs` ago. */
  async function accepted(sessionId: string, n: number, ageMs: number, batchId?: string) {
    const createdAt = new Date(Date.now() - ageMs);
    const inputs: NewMessage[] = Array.from({ length: n }, () => ({
      sessionId,
      direction: 'outbound',
      remoteJid: '4915112345678@s.whatsapp.net',
      type: 'text',
      payload: { type: 'text', text: 'hi' },
      batchId: batchId ?? null,
      createdAt,
    }));
    return target.db.repos.messages.insertMany(inputs);
  }

  async function jobIds(queue: Queue): Promise<string[]> {
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    return jobs.map((job) => job.id ?? '');
  }

  it('re-enqueues old queued messages whose job is missing, with the same id and data, once', async () => {
    const s1 = (await target.db.repos.sessions.create({ name: `${dialect}-a` })).id;
    const s2 = (await target.db.repos.sessions.create({ name: `${dialect}-b` })).id;
    const old1 = await accepted(s1, 1_200, 5 * 60_000, 'batch-1');
    const old2 = await accepted(s2, 30, 5 * 60_000);
    const young = await accepted(s1, 5, 0);
    const q1 = sendQueue(s1);
    const q2 = sendQueue(s2);
    // Some jobs made it to Redis; one message is already being sent.
    for (const row of old1.slice(0, 10)) {
      await enqueue(
        q1,
        sendMessageJob,
        SEND_QUEUE_JOBS.send,
        { messageId: row.id, sessionId: s1 },
        { jobId: row.id },
      );
    }
    await target.db.repos.messages.updateStatus(old2[0]!.id, 'sending');

    const report = await reconcileOutbox({
      repos: target.db.repos,
      redis,
      prefix,
      graceMs: GRACE_MS,
      pageSize: 500,
    });
    expect(report).toMatchObject({ scanned: 1_229, jobPresent: 10, reenqueued: 1_219, changed: 1_219 });
    expect(report.sessionIds.sort()).toEqual([s1, s2].sort());
    expect(report.sampleMessageIds).toHaveLength(100);

    const ids1 = await jobIds(q1);
    expect(ids1.sort()).toEqual(old1.map((r) => r.id).sort());
    expect(ids1).not.toContain(young[0]!.id);
    expect((await jobIds(q2)).sort()).toEqual(
      old2
        .slice(1)
        .map((r) => r.id)
        .sort(),
    );
    const job = await q1.getJob(old1[500]!.id);
    expect(job).toMatchObject({
      name: 'send',
      data: { messageId: old1[500]!.id, sessionId: s1, batchId: 'batch-1' },
    });
    expect(job?.opts.attempts).toBe(5);

    const again = await reconcileOutbox({ repos: target.db.repos, redis, prefix, graceMs: GRACE_MS });
    expect(again.reenqueued).toBe(0);
    expect(await q1.count()).toBe(1_200);
  });

  it('after Redis loses the queue, the maintenance task brings every job back', async () => {
    const sessionId = (await target.db.repos.sessions.create({ name: `${dialect}-lost` })).id;
    const rows = await accepted(sessionId, 300, 60_000);
    const queue = sendQueue(sessionId);
    await queue.addBulk(
      rows.map((row) => ({ name: 'send', data: { messageId: row.id, sessionId }, opts: { jobId: row.id } })),
    );
    await queue.obliterate({ force: true }); // as good as FLUSHALL for this queue
    expect(await queue.count()).toBe(0);

    const report = await runMaintenanceTask('outbox-reconciliation', {
      repos: target.db.repos,
      leases: createLeaseStore({ redis, prefix, ttlMs: 0 }),
      redis,
      prefix,
      revivalCooldownMs: 60_000,
      staleSessionAgeMs: 60_000,
      outboxGraceMs: GRACE_MS,
    });
    expect(report).toMatchObject({ task: 'outbox-reconciliation', result: { reenqueued: 300 } });
    expect((await jobIds(queue)).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('a run examines at most maxRowsPerRun rows and the next one goes on from there', async () => {
    const sessionId = (await target.db.repos.sessions.create({ name: `${dialect}-walk` })).id;
    const rows = await accepted(sessionId, 700, 60_000);
    const queue = sendQueue(sessionId);
    const run = (maxRowsPerRun?: number) =>
      reconcileOutbox({
        repos: target.db.repos,
        redis,
        prefix,
        graceMs: GRACE_MS,
        pageSize: 100,
        maxRowsPerRun,
      });
    // The whole outbox in one run (other tests' rows too): the number to walk in slices.
    const total = (await run()).scanned;
    expect(total).toBeGreaterThanOrEqual(700);
    await queue.obliterate({ force: true });

    const slices: number[] = [];
    for (;;) {
      const report = await run(250);
      expect(report.scanned).toBeLessThanOrEqual(250);
      slices.push(report.scanned);
      if (report.complete) break;
      expect(slices.length).toBeLessThan(100);
    }
    expect(slices.reduce((a, b) => a + b, 0)).toBe(total);
    expect(slices.length).toBe(Math.floor(total / 250) + 1);
    expect((await jobIds(queue)).sort()).toEqual(rows.map((r) => r.id).sort());
    // The walk ended: the next run starts from the beginning again.
    expect((await run(250)).scanned).toBe(250);
  });
});
