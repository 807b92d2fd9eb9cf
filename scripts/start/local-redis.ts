import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { connectRedis } from '@wagw/queue';
import { sleep } from '@wagw/resilience';

/** One quick PING: no retries, no offline queue, a short connect timeout. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const redis = connectRedis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts a local redis-server for the embedded default: loopback only, data under ./data/redis,
 * AOF on (queued jobs survive a restart) and noeviction (BullMQ must never lose keys to eviction).
 */
export async function startLocalRedis(url: string, dataDir: string): Promise<ChildProcess> {
  const { hostname, port } = new URL(url);
  const dir = resolve(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--bind',
      hostname === 'localhost' ? '127.0.0.1' : hostname,
      '--port',
      port || '6379',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      'redis.log',
    ],
    { stdio: 'ignore', detached: true },
  );
  for (let waited = 0; waited < 10_000; waited += 200) {
    if (child.exitCode !== null) break;
    if (await redisAnswers(url, 500)) return child;
    await sleep(200);
  }
  child.kill('SIGTERM');
  throw new Error(`redis-server did not answer on ${url}; see ${dir}/redis.log`);
}

/** Hosts we may start a Redis for: only this machine. */
export function isLocalRedis(url: string): boolean {
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(url).hostname);
}
