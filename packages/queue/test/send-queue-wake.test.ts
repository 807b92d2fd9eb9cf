import { redisUrl, uniquePrefix } from '@wagw/testing';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsumerConnection,
  createProducerConnection,
  createSendQueues,
  redisKeys,
  sendQueueName,
  sendQueuesWithWork,
  waitUntilReady,
} from '../src/index.js';

const prefix = uniquePrefix('wake');
const redis = createProducerConnection(redisUrl());
const subscriber = createConsumerConnection(redisUrl());
const queues = createSendQueues(redis, prefix);
const woken: string[] = [];

beforeAll(async () => {
  await waitUntilReady(redis);
  await subscriber.subscribe(redisKeys(prefix).sendWakeChannel);
  subscriber.on('message', (_channel, sessionId: string) => woken.push(sessionId));
});
afterAll(async () => {
  await queues.close();
  subscriber.disconnect();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const until = async (check: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 250 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('send queue wake', () => {
  it('every add and addBulk of a send queue announces the session on the wake channel', async () => {
    await queues.get('S1').add('send', { n: 1 });
    await queues.get('S2').addBulk([
      { name: 'send', data: { n: 2 } },
      { name: 'send', data: { n: 3 } },
    ]);
    await until(() => woken.length >= 2);
    expect(woken).toEqual(['S1', 'S2']);
  });
});

describe('sendQueuesWithWork', () => {
  it('names the sessions whose queue holds waiting, prioritized, delayed or active jobs', async () => {
    await queues.get('P').add('send', {}, { priority: 3 });
    await queues.get('D').add('send', {}, { delay: 60_000 });
    await queues.get('E').add('send', {});
    // E's job is taken (active) by a consumer that then never finishes it: a dead owner's job.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const connection = createConsumerConnection(redisUrl());
    const consumer = new Worker(sendQueueName('E'), () => held, { connection, prefix });
    await until(async () => (await queues.get('E').getJobCounts('active')).active === 1);
    const all = ['S1', 'S2', 'P', 'D', 'E', 'none'];
    expect([...(await sendQueuesWithWork(redis, prefix, all))].sort()).toEqual(['D', 'E', 'P', 'S1', 'S2']);
    release();
    await consumer.close();
    connection.disconnect();
    expect(await sendQueuesWithWork(redis, prefix, ['E', 'none'])).toEqual(new Set());
    expect(await sendQueuesWithWork(redis, prefix, [])).toEqual(new Set());
  });
});
