import { parseRedisUrl } from '@wagw/config';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * A connection to REDIS_URL: a plain URL, or the sentinels of a `redis+sentinel://` URL, through
 * which ioredis finds the master and follows a failover (BullMQ's duplicates of it do too).
 */
export function connectRedis(url: string, options: RedisOptions): Redis {
  const target = parseRedisUrl(url);
  if (target.kind === 'url') return new Redis(target.url, options);
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
 * The two Redis connection profiles (BullMQ "going to production").
 *
 * Producers (the API) fail fast: with the offline queue off and one retry per request, a command
 * issued while Redis is down rejects at once, and the API answers 503 instead of hanging a client.
 *
 * Consumers (workers, scheduler) wait: `maxRetriesPerRequest: null` is required by BullMQ workers,
 * which block on Redis and must survive a Redis restart by reconnecting forever with backoff.
 */
export function createProducerConnection(url: string, options: RedisOptions = {}): Redis {
  return connectRedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    retryStrategy: reconnectBackoff,
    ...options,
  });
}

export function createConsumerConnection(url: string, options: RedisOptions = {}): Redis {
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
export async function pingRedis(redis: Redis, timeoutMs: number): Promise<number> {
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
export async function waitUntilReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
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
