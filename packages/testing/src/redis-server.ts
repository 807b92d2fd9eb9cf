import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { createTempDir } from './temp-dir.js';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`; the port stays the same across restarts. */
  url: string;
  port: number;
  /**
   * Stops the server: SIGTERM shuts down as an operator's stop does (with AOF, everything written
   * is on disk); SIGKILL loses what was not yet fsynced.
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /**
   * Starts it again on the same port and directory (with AOF it reloads what it had); `empty`
   * deletes its files first, as a restart without persistence (or a new host) comes up.
   */
  start(options?: { empty?: boolean }): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing, like a hung or unreachable host. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/**
 * A private `redis-server` on a loopback port, for tests that stop, restart or freeze Redis
 * without touching the shared one. `persistence: 'aof'` runs it as production should
 * (appendonly, fsync every second); `'none'` keeps nothing across a restart.
 */
export async function startRedisServer(options: { persistence: 'aof' | 'none' }): Promise<RedisServer> {
  const dir = createTempDir('wagw-redis-');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    dir.path,
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--appendonly',
    options.persistence === 'aof' ? 'yes' : 'no',
  ];
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start({ empty = false } = {}) {
      // Already running: a second server on the same port would fail to bind and exit, and the
      // handle would then point at the dead one, so close() left the running server behind (the
      // stray redis-servers earlier runs left, from teardowns that call start() "just in case").
      if (child && child.exitCode === null && child.signalCode === null) return;
      if (empty)
        for (const name of readdirSync(dir.path))
          rmSync(join(dir.path, name), { recursive: true, force: true });
      child = spawn('redis-server', args, { stdio: 'ignore' });
      await waitForPing(port);
    },
    async stop(signal = 'SIGTERM') {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      running.kill('SIGCONT');
      running.kill(signal);
      await once(running, 'exit');
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async close() {
      await server.stop('SIGKILL');
      dir.cleanup();
    },
  };
  try {
    await server.start();
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}

/** Resolves once a Redis on the loopback port answers PING. */
export async function waitForPing(port: number): Promise<void> {
  await until(
    async () => {
      const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
      redis.on('error', () => {});
      try {
        await redis.connect();
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        redis.disconnect();
      }
    },
    10_000,
    `redis on port ${port}`,
  );
}

export async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
