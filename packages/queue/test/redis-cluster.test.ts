import assert from 'node:assert/strict';
import { type RedisCluster, startRedisCluster, uniquePrefix } from '@wagw/testing';
import { Queue, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsumerConnection,
  createEvent,
  createLeaseStore,
  createProducerConnection,
  createSessionRpcClient,
  listHeartbeats,
  listRecentlySeen,
  listSendQueues,
  publishEvent,
  type RedisConnection,
  readEvents,
  redisKeys,
  sendQueueName,
  startHeartbeat,
  startSessionRpcServer,
  waitUntilReady,
} from '../src/index.js';

// Three masters on loopback, reached through a `redis+cluster://` REDIS_URL as a deployment on a
// Redis Cluster configures it; the prefix carries a hash tag, as configuration requires there.
let cluster: RedisCluster;
let producer: RedisConnection;
let consumer: RedisConnection;
const prefix = `{${uniquePrefix('cluster')}}`;
const keys = redisKeys(prefix);

beforeAll(async () => {
  cluster = await startRedisCluster();
  producer = createProducerConnection(cluster.url);
  consumer = createConsumerConnection(cluster.url);
  await Promise.all([waitUntilReady(producer), waitUntilReady(consumer)]);
}, 40_000);
afterAll(async () => {
  producer?.disconnect();
  consumer?.disconnect();
  await cluster?.close();
});

describe('Redis Cluster through redis+cluster://', () => {
  it('the factories return Cluster clients with the producer and consumer profiles', () => {
    assert(producer instanceof Cluster && consumer instanceof Cluster);
    // Producers fail fast (no offline queue, one retry); BullMQ requires consumers to retry forever.
    expect(producer.options.enableOfflineQueue).toBe(false);
    expect(producer.options.redisOptions?.maxRetriesPerRequest).toBe(1);
    expect(consumer.options.enableOfflineQueue).toBe(true);
    expect(consumer.options.redisOptions?.maxRetriesPerRequest).toBeNull();
    expect(producer.nodes('master')).toHaveLength(3);
  });

  it('every key the gateway and BullMQ write under a hash-tagged prefix lands in one slot', async () => {
    const samples = [
      keys.heartbeat('worker', 'w1'),
      keys.heartbeatSeen('worker'),
      keys.lease('s1'),
      keys.leaseGeneration('s1'),
      keys.events,
      keys.qr('s1'),
      keys.pairingRequest('s1'),
      keys.pairingCode('s1'),
      keys.webhooksVersion,
      keys.webhookDeliveries('h1'),
      keys.webhookEndpointSlots('h1'),
      keys.webhookEndpointBreaker('h1'),
      keys.webhookEndpointProbe('h1'),
      keys.outboxCursor,
      keys.dbSpool('s1'),
      keys.rpcRequests('w1'),
      keys.rpcReplies('api-1'),
      keys.rpcPending('r1'),
      keys.contactCheck('s1', '4915'),
      keys.contactCheckBudget('s1'),
      keys.reconcileChannel,
      `${prefix}:${sendQueueName('s1')}:wait`,
      `${prefix}:session-commands:meta`,
    ];
    const slots = new Set(
      await Promise.all(samples.map(async (key) => Number(await producer.call('CLUSTER', 'KEYSLOT', key)))),
    );
    expect(slots.size).toBe(1);
    // Keys spread over the three masters without the tag: the tag is what keeps them together.
    const untagged = new Set(
      await Promise.all(
        ['a', 'b', 'c', 'd', 'e', 'f'].map(async (id) =>
          cluster
            .shardOf(Number(await producer.call('CLUSTER', 'KEYSLOT', `wagw:lease:${id}`)))
            .then((shard) => shard.master),
        ),
      ),
    );
    expect(untagged.size).toBeGreaterThan(1);
  });

  it('leases: acquire, renew, fence a second worker, release, read owners (Lua and MULTI over two keys)', async () => {
    const leases = createLeaseStore({ redis: producer, prefix, ttlMs: 5000 });
    const lease = await leases.acquire('session-1', 'worker-a');
    assert(lease);
    expect(await leases.acquire('session-1', 'worker-b')).toBeNull();
    expect(await leases.renew(lease)).toBe(true);
    expect(await leases.owner('session-1')).toMatchObject({
      workerId: 'worker-a',
      generation: lease.generation,
    });
    expect(await leases.holders(['session-1', 'session-2'])).toEqual(
      new Map([
        ['session-1', 'worker-a'],
        ['session-2', null],
      ]),
    );
    expect(await leases.release(lease)).toBe(true);
    const next = await leases.acquire('session-1', 'worker-b');
    expect(next?.generation).toBe(lease.generation + 1);
  });

  it('heartbeats are found by SCAN on the master that holds them, and the seen set lists them', async () => {
    const beats = ['w1', 'w2'].map((instanceId) =>
      startHeartbeat({ redis: producer, prefix, role: 'worker', instanceId, intervalMs: 1000 }),
    );
    try {
      await expect
        .poll(async () => (await listHeartbeats(producer, prefix, 'worker')).map((b) => b.instanceId).sort())
        .toEqual(['w1', 'w2']);
      expect((await listRecentlySeen(producer, prefix, 'worker')).sort()).toEqual(['w1', 'w2']);
    } finally {
      await Promise.all(beats.map((beat) => beat.stop()));
    }
  });

  it('events: a blocking read on its own connection receives what another connection publishes', async () => {
    const reader = createConsumerConnection(cluster.url);
    try {
      await waitUntilReady(reader);
      const pending = readEvents(reader, prefix, '$', { blockMs: 5000 });
      // The XREAD must be blocking before the publish, or '$' starts after the event.
      await new Promise((r) => setTimeout(r, 200));
      const event = createEvent('session.status', 's1', { status: 'open' });
      const id = await publishEvent(producer, prefix, event);
      expect(await pending).toEqual([{ streamId: id, event }]);
      expect((await readEvents(producer, prefix, '0')).map((e) => e.event.id)).toContain(event.id);
    } finally {
      reader.disconnect();
    }
  });

  it('BullMQ adds and processes jobs (its Lua scripts touch several keys), and the send queues are found by SCAN', async () => {
    const name = sendQueueName('cluster-session');
    const queue = new Queue(name, { connection: producer, prefix });
    const done: number[] = [];
    const worker = new Worker(
      name,
      async (job) => {
        done.push(job.data.i as number);
      },
      { connection: consumer, prefix, concurrency: 4 },
    );
    worker.on('error', () => {});
    try {
      await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'job', data: { i } })));
      await queue.add('delayed', { i: 20 }, { delay: 300 });
      await expect.poll(() => done.length, { timeout: 10_000 }).toBe(21);
      expect(await listSendQueues(producer, prefix)).toEqual([name]);
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('pub/sub: a subscriber gets the reconcile nudge published through another node connection', async () => {
    const subscriber = createConsumerConnection(cluster.url);
    try {
      const received: string[] = [];
      subscriber.on('message', (_channel, message: string) => received.push(message));
      await waitUntilReady(subscriber);
      await subscriber.subscribe(keys.reconcileChannel);
      await producer.publish(keys.reconcileChannel, 'session-9');
      await expect.poll(() => received).toEqual(['session-9']);
    } finally {
      subscriber.disconnect();
    }
  });

  it('session RPC: a request reaches the owning worker over BLPOP lists and MULTI, and its reply comes back', async () => {
    const quiet = { warn: () => {}, debug: () => {} };
    await producer.set(keys.lease('s-rpc'), 'w-rpc|4', 'PX', 60_000);
    const server = startSessionRpcServer<string>({
      connection: createConsumerConnection(cluster.url),
      redis: producer,
      prefix,
      workerId: 'w-rpc',
      logger: quiet,
      resolveSession: (sessionId, generation) => `${sessionId}@${generation}`,
      handlers: {
        'contacts.check': async () => ({ results: [] }),
        'contacts.picture': async (params, ctx) => ({
          url: `https://pp.example/${ctx.session}/${params.jid}`,
        }),
      },
    });
    const client = createSessionRpcClient({
      redis: producer,
      openReader: () => createConsumerConnection(cluster.url),
      prefix,
      timeoutMs: 5000,
      logger: quiet,
    });
    try {
      expect(await client.call('s-rpc', 'contacts.picture', { jid: '15550001@s.whatsapp.net' })).toEqual({
        url: 'https://pp.example/s-rpc@4/15550001@s.whatsapp.net',
      });
    } finally {
      await client.close();
      await server.close();
    }
  });
});
