import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { listHeartbeats } from '@wagw/queue';
import { createTempDir, freePort, redisUrl, uniquePrefix } from '@wagw/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function run(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function exitOf(child: ChildProcess, timeoutMs: number) {
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stderr };
}

const redis = new Redis(redisUrl());
afterAll(() => redis.disconnect());

describe('bad configuration', () => {
  it.each([
    { entry: 'apps/api/src/main.ts', variable: 'PORT', env: { PORT: 'abc', API_KEY: 'x'.repeat(20) } },
    {
      entry: 'apps/api/src/main.ts',
      variable: 'DATABASE_URL',
      env: { DATABASE_URL: 'mysql://x', API_KEY: 'x'.repeat(20) },
    },
    {
      entry: 'apps/worker/src/main.ts',
      variable: 'MSG_FAILURE_THRESHOLD',
      env: { MSG_FAILURE_THRESHOLD: 'lots' },
    },
    { entry: 'apps/scheduler/src/main.ts', variable: 'CLEANUP_INTERVAL', env: { CLEANUP_INTERVAL: '-5' } },
  ] as Array<{ entry: string; variable: string; env: Record<string, string> }>)(
    '$entry with a bad $variable exits 1 with one line naming it',
    async ({ entry, env, variable }) => {
      const { code, stderr } = await exitOf(run([entry], env), 20_000);
      expect(code).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    },
  );
});

describe('npm start (scripts/start.ts)', () => {
  it('brings up api, worker and scheduler, answers health, and stops cleanly on SIGTERM', async () => {
    const dir = createTempDir('wagw-start-');
    const port = await freePort();
    const prefix = uniquePrefix('start');
    const launcher = run(['scripts/start.ts'], {
      PORT: String(port),
      DATABASE_URL: `file:${dir.path}/wagw.db`,
      // Never the working copy's ./data/media: the scheduler's retention walks the store it is given.
      MEDIA_DIR: `${dir.path}/media`,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      API_KEY: 'k'.repeat(24),
      HEARTBEAT_INTERVAL: '500',
    });
    let output = '';
    launcher.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    const exited = exitOf(launcher, 60_000);

    // `degraded` (also 200) until the worker's first heartbeat lands: wait for `ok`.
    let health: Response | undefined;
    let body: { status?: string } = {};
    for (let i = 0; i < 150 && body.status !== 'ok'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
      body = health?.ok ? ((await health.json()) as { status?: string }) : {};
    }
    expect(health?.status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', database: 'connected', redis: 'connected' });
    expect(output).toContain(`http://127.0.0.1:${port}/api/health`);

    let roles: string[] = [];
    for (let i = 0; i < 50 && roles.length < 2; i++) {
      roles = (await listHeartbeats(redis, prefix)).map((beat) => beat.role).sort();
      if (roles.length < 2) await new Promise((r) => setTimeout(r, 200));
    }
    expect(roles).toEqual(['scheduler', 'worker']);

    const stopStarted = Date.now();
    launcher.kill('SIGTERM');
    const { code } = await exited;
    expect(code).toBe(0);
    expect(Date.now() - stopStarted).toBeLessThan(30_000);
    // Each process deleted its heartbeat on the way out: nothing is left pretending to be alive.
    expect(await listHeartbeats(redis, prefix)).toEqual([]);
    dir.cleanup();
  }, 90_000);
});
