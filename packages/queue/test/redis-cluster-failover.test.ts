import { type RedisCluster, startRedisCluster, uniquePrefix } from '@wagw/testing';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsumerConnection,
  createLeaseStore,
  createProducerConnection,
  type RedisConnection,
  redisKeys,
  waitUntilReady,
} from '../src/index.js';

// Three masters with a replica each; the master holding the deployment's slot is killed with -9 and
// its replica takes over (cluster-node-timeout 2 s in the test cluster).
let cluster: RedisCluster;
let producer: RedisConnection;
let consumer: RedisConnection;
const prefix = `{${uniquePrefix('cluster-failover')}}`;

beforeAll(async () => {
  cluster = await startRedisCluster({ replicasPerMaster: 1 });
  producer = createProducerConnection(cluster.url);
  consumer = createConsumerConnection(cluster.url);
  producer.on('error', () => {});
  consumer.on('error', () => {});
  await Promise.all([waitUntilReady(producer), waitUntilReady(consumer)]);
}, 40_000);
afterAll(async () => {
  producer?.disconnect();
  consumer?.disconnect();
  await cluster?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Redis Cluster failover', () => {
  it('kill -9 of the master holding the prefix slot: its replica takes over, jobs go on being added and processed once, the lease survives', async () => {
    const processed = new Map<string, number>();
    const queue = new Queue('cluster-jobs', { connection: producer, prefix });
    const worker = new Worker(
      'cluster-jobs',
      async (job) => {
        processed.set(job.id!, (processed.get(job.id!) ?? 0) + 1);
      },
      { connection: consumer, prefix, concurrency: 5 },
    );
    worker.on('error', () => {});
    const leases = createLeaseStore({ redis: producer, prefix, ttlMs: 60_000 });
    const lease = await leases.acquire('session-1', 'worker-a');
    expect(lease).not.toBeNull();

    // A producer fails fast while the slot moves (the API answers 503): retry with the same job id,
    // so a retry never makes a second job.
    const add = async (i: number) => {
      for (let attempt = 0; ; attempt++) {
        try {
          await queue.add('job', { i }, { jobId: `job-${i}` });
          return;
        } catch (err) {
          if (attempt > 200) throw err;
          await sleep(100);
        }
      }
    };
    for (let i = 0; i < 50; i++) await add(i);
    await expect.poll(() => processed.size, { timeout: 10_000 }).toBe(50);

    const slot = Number(await producer.call('CLUSTER', 'KEYSLOT', redisKeys(prefix).lease('session-1')));
    const before = await cluster.shardOf(slot);
    // Replication is asynchronous: wait until the replica has the lease, as it would long before a crash.
    expect(before.replicas).toHaveLength(1);
    const replica = new Redis({ host: '127.0.0.1', port: before.replicas[0]!, lazyConnect: true });
    await replica.connect();
    await replica.call('READONLY');
    await expect.poll(() => replica.get(redisKeys(prefix).lease('session-1'))).not.toBeNull();
    replica.disconnect();

    const killedAt = Date.now();
    await cluster.kill(before.master);
    let adding = 50;
    while (adding < 100) await add(adding++);
    const writableMs = Date.now() - killedAt;
    await expect.poll(() => processed.size, { timeout: 30_000 }).toBe(100);
    const recoveredMs = Date.now() - killedAt;

    expect((await cluster.shardOf(slot)).master).toBe(before.replicas[0]);
    expect([...processed.values()].every((n) => n === 1)).toBe(true);
    expect(await leases.owner('session-1')).toMatchObject({
      workerId: 'worker-a',
      generation: lease!.generation,
    });
    expect(await leases.renew(lease!)).toBe(true);
    console.info(
      `cluster failover: writes accepted again ${writableMs} ms after kill -9, all jobs processed after ${recoveredMs} ms`,
    );
    await worker.close();
    await queue.close();
  }, 60_000);
});
