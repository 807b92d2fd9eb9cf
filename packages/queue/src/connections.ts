import { parseRedisUrl } from '@wagw/config';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

/**
 * What the factories return: one Redis server (plain or found through Sentinel) or a Redis Cluster.
 * Both run the same commands; code that needs a server-wide view (SCAN) or a single node goes
 * through the helpers here (`scanKeys`) instead of assuming one server.
 */
export type RedisConnection = Redis | Cluster;

/**
 * A connection to REDIS_URL: a plain URL, the sentinels of a `redis+sentinel://` URL, through
 * which ioredis finds the master and follows a failover (BullMQ's duplicates of it do too), or the
 * nodes of a `redis+cluster://` URL.
 */
export function connectRedis(url: string, options: RedisOptions): RedisConnection {
  const target = parseRedisUrl(url);
  if (target.kind === 'url') return new Redis(target.url, options);
  if (target.kind === 'cluster') return connectCluster(target.nodes, target.password, options);
  return new Redis({
    ...options,
    sentinels: target.sentinels,
    name: target.name,
    ...(target.password ? { password: target.password } : {}),
    ...(target.db !== undefined ? { db: target.db } : {}),
    // Subscribes to the sentinels' +switch-master and reconnects at once: without it a connection
    // keeps writing to the old master until that one is demoted, and those writes are lost.
    failoverDetector: true,
    // A master that has just been demoted answers READONLY to writes: reconnect, which asks the
    // sentinels again and lands on the new master.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
    sentinelRetryStrategy: reconnectBackoff,
  });
}

/**
 * A Cluster client with the same profile as `options`: the options that govern the whole client
 * (offline queue, ready check, reconnecting, lazy connect) move to the cluster level, the rest apply
 * to each node's connection. BullMQ reads `maxRetriesPerRequest` from the nodes' options.
 */
function connectCluster(
  nodes: Array<{ host: string; port: number }>,
  password: string | undefined,
  options: RedisOptions,
): Cluster {
  const { enableOfflineQueue, enableReadyCheck, retryStrategy, lazyConnect, ...nodeOptions } = options;
  return new Cluster(nodes, {
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    ...(enableReadyCheck !== undefined ? { enableReadyCheck } : {}),
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    clusterRetryStrategy: retryStrategy ?? reconnectBackoff,
    redisOptions: { ...nodeOptions, ...(password ? { password } : {}) },
  });
}

/**
 * Every key matching `pattern`, in batches. SCAN walks one server, so on a cluster it walks every
 * master (our keys all share the prefix's slot, so in practice one master answers them all).
 */
export async function* scanKeys(redis: RedisConnection, pattern: string, count: number) {
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  // Before the cluster is connected there are no nodes: fail as a single server would, not answer "none".
  if (servers.length === 0) throw new Error('no Redis Cluster master is connected');
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, batch] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (batch.length > 0) yield batch;
    } while (cursor !== '0');
  }
}

/**
 * The two Redis connection profiles (BullMQ "going to production").
 *
 * Producers (the API) fail fast: with the offline queue off and one retry per request, a command
 * issued while Redis is down rejects at once, and the API answers 503 instead of hanging a client.
 *
 * Consumers (workers, scheduler) wait: `maxRetriesPerRequest: null` is required by BullMQ workers,
 * which block on Redis and must survive a Redis restart by reconnecting forever with backoff.
 */
export function createProducerConnection(url: string, options: RedisOptions = {}): RedisConnection {
  return connectRedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    retryStrategy: reconnectBackoff,
    ...options,
  });
}

export function createConsumerConnection(url: string, options: RedisOptions = {}): RedisConnection {
  return connectRedis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectTimeout: 10_000,
    retryStrategy: reconnectBackoff,
    ...options,
  });
}

/** Reconnect after 100 ms, doubling up to 5 s, forever: Redis coming back must heal every process. */
function reconnectBackoff(times: number): number {
  return Math.min(100 * 2 ** Math.min(times, 6), 5000);
}

/** Resolves when the connection is ready, rejects after `timeoutMs` (used at start-up and in health). */
export async function pingRedis(redis: RedisConnection, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`redis ping timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return performance.now() - started;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves once the connection is ready (at once if it already is), rejects after `timeoutMs`.
 * Producers have no offline queue, so a command sent before `ready` fails; start-up waits here.
 */
export async function waitUntilReady(redis: RedisConnection, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs} ms (status ${redis.status})`));
    }, timeoutMs);
    function onReady() {
      clearTimeout(timer);
      resolve();
    }
    redis.once('ready', onReady);
  });
}

/**
 * For a connection that follows a Sentinel master: a check that every write this connection made so
 * far has reached a replica (`WAIT 1 <timeoutMs>`). Sentinel replicates asynchronously and a forced
 * failover leaves the old master taking writes for a moment, all of which the new master never
 * sees; a writer that deletes its only other copy (an event's outbox row) once the write is
 * confirmed by a replica loses nothing to it. Undefined for a plain server (no replica to wait for)
 * and for a Cluster (WAIT is per node; its failover is not covered here).
 */
export function replicaAck(redis: RedisConnection, timeoutMs = 50): (() => Promise<boolean>) | undefined {
  if (redis instanceof Cluster || !redis.options.sentinels?.length) return undefined;
  return () =>
    redis.wait(1, timeoutMs).then(
      (replicas) => replicas >= 1,
      () => false,
    );
}

/** True once this connection's writes so far are safe from a failover (`replicaAck`); at once when there is none to fear. */
export function writesConfirmed(redis: RedisConnection, timeoutMs = 50): Promise<boolean> {
  return replicaAck(redis, timeoutMs)?.() ?? Promise.resolve(true);
}
