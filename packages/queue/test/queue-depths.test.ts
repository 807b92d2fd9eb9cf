import { redisUrl, uniquePrefix } from '@wagw/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProducerConnection,
  listSendQueues,
  metricsKeys,
  readCounterHash,
  readQueueDepths,
  recordDisconnect,
  sendQueueName,
  waitUntilReady,
} from '../src/index.js';

const prefix = uniquePrefix('depths');
const redis = createProducerConnection(redisUrl());
const names = [sendQueueName('A'), sendQueueName('B'), 'session-commands'];
const queues = names.map((name) => new Queue(name, { connection: redis, prefix }));

beforeAll(async () => {
  await waitUntilReady(redis);
  for (const queue of queues) await queue.getVersion();
});
afterAll(async () => {
  for (const queue of queues) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('readQueueDepths', () => {
  it('agrees with BullMQ getJobCounts (guards against a BullMQ key layout change)', async () => {
    const [a, b] = queues;
    if (!a || !b) throw new Error('queues missing');
    await a.add('x', {});
    await a.add('x', {}, { priority: 5 });
    await a.add('x', {}, { delay: 60_000 });
    await b.add('x', {});
    const depths = await readQueueDepths(redis, prefix, names);
    for (const [i, queue] of queues.entries()) {
      const counts = await queue.getJobCounts(
        'waiting',
        'prioritized',
        'active',
        'delayed',
        'failed',
        'completed',
      );
      expect(depths[names[i] as string]).toEqual({
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        active: counts.active,
        delayed: counts.delayed,
        failed: counts.failed,
        completed: counts.completed,
      });
    }
    expect(depths[sendQueueName('A')]).toMatchObject({ waiting: 2, delayed: 1 });
  });

  it('lists the send queues that exist, not other queues', async () => {
    expect(await listSendQueues(redis, prefix)).toEqual([sendQueueName('A'), sendQueueName('B')]);
  });
});

describe('disconnect counters', () => {
  it('counts disconnects by code, and reconnects only when the worker tries again', async () => {
    await recordDisconnect(redis, prefix, 428, { reconnecting: true });
    await recordDisconnect(redis, prefix, 428, { reconnecting: true });
    await recordDisconnect(redis, prefix, 440, { reconnecting: false });
    const keys = metricsKeys(prefix);
    expect(await readCounterHash(redis, keys.disconnects)).toEqual({ '428': 2, '440': 1 });
    expect(await readCounterHash(redis, keys.reconnects)).toEqual({ '428': 2 });
    expect(await readCounterHash(redis, keys.webhooks)).toEqual({});
  });
});
