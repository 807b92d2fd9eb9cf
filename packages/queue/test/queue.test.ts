import assert from 'node:assert/strict';
import { redisUrl, uniquePrefix } from '@wagw/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsumerConnection,
  createProducerConnection,
  DEFAULT_JOB_OPTIONS,
  enqueue,
  enqueueBulk,
  QUEUES,
  sendMessageJob,
  sendQueueName,
  sessionCommandJob,
  waitUntilReady,
} from '../src/index.js';

const prefix = uniquePrefix('queue');
const producer = createProducerConnection(redisUrl());
let queue: Queue;

beforeAll(async () => {
  await waitUntilReady(producer);
  queue = new Queue(QUEUES.sessionCommands, { connection: producer, prefix });
  queue.on('error', () => {});
  await queue.waitUntilReady();
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  const keys = await producer.keys(`${prefix}:*`);
  if (keys.length > 0) await producer.del(...keys);
  producer.disconnect();
});

describe('enqueue', () => {
  it('applies the default job options and a validated payload', async () => {
    const payload = { sessionId: 's1', command: 'start', requestedAt: Date.now() } as const;
    const job = await enqueue(queue, sessionCommandJob, 'start', payload);
    expect(job.opts.attempts).toBe(DEFAULT_JOB_OPTIONS.attempts);
    expect(job.opts.backoff).toEqual(DEFAULT_JOB_OPTIONS.backoff);
    expect(job.opts.removeOnComplete).toEqual(DEFAULT_JOB_OPTIONS.removeOnComplete);
    const stored = await queue.getJob(job.id!);
    expect(stored?.name).toBe('start');
    expect(stored?.data).toEqual(payload);
  });

  it('rejects an invalid payload before anything reaches Redis', async () => {
    const before = await queue.count();
    await expect(
      enqueue(queue, sessionCommandJob, 'start', {
        sessionId: '',
        command: 'explode' as 'start',
        requestedAt: 1,
      }),
    ).rejects.toThrow();
    expect(await queue.count()).toBe(before);
  });

  it('does not add a job twice under the same id', async () => {
    const data = { sessionId: 's1', command: 'stop' as const, requestedAt: 1 };
    await enqueue(queue, sessionCommandJob, 'stop', data, { jobId: 'same-id' });
    await enqueue(queue, sessionCommandJob, 'stop', data, { jobId: 'same-id' });
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.filter((job) => job.id === 'same-id')).toHaveLength(1);
  });

  it('adds many jobs in one call', async () => {
    const sends = new Queue(sendQueueName('s1'), { connection: producer, prefix });
    sends.on('error', () => {});
    const jobs = await enqueueBulk(
      sends,
      sendMessageJob,
      Array.from({ length: 50 }, (_, i) => ({
        name: 'send',
        data: { messageId: `m${i}`, sessionId: 's1' },
        options: { jobId: `m${i}` },
      })),
    );
    expect(jobs).toHaveLength(50);
    expect(await sends.count()).toBe(50);
    await sends.obliterate({ force: true });
    await sends.close();
  });
});

describe('connection profiles', () => {
  it('a producer fails fast when Redis is unreachable', async () => {
    const dead = createProducerConnection('redis://127.0.0.1:1', { connectTimeout: 200 });
    dead.on('error', () => {});
    const started = Date.now();
    await expect(dead.set('x', '1')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
    dead.disconnect();
  });

  it('a consumer waits (BullMQ requires maxRetriesPerRequest: null)', () => {
    const consumer = createConsumerConnection(redisUrl(), { lazyConnect: true });
    assert(consumer instanceof Redis);
    expect(consumer.options.maxRetriesPerRequest).toBeNull();
    expect(consumer.options.enableOfflineQueue).toBe(true);
    consumer.disconnect();
  });
});

describe('sendQueueName', () => {
  it('builds one queue name per session and refuses unsafe ids', () => {
    expect(sendQueueName('abc_1')).toBe('send.abc_1');
    expect(() => sendQueueName('a:b')).toThrow();
    expect(() => sendQueueName('')).toThrow();
  });
});
