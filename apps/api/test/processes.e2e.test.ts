import { listHeartbeats } from '@wagw/queue';
import { createTempDir, freePort, redisUrl, uniquePrefix } from '@wagw/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { exitOf, runNode, waitForBeatingRoles, waitForHealthOk } from './launcher-helpers.js';

/** From source, through tsx: what `npm run dev` does (the build is tested in production-build.e2e). */
const run = (args: string[], env: Record<string, string>) => runNode(['--import', 'tsx', ...args], env);
/** The compiled bundle, as production starts it: no TypeScript compiled on each start (~3 s of CPU). */
const runBuilt = (entry: string, env: Record<string, string>) =>
  runNode(['--enable-source-maps', entry], env);

const redis = new Redis(redisUrl());
afterAll(() => redis.disconnect());

describe('bad configuration', () => {
  it.each([
    { entry: 'apps/api/dist/main.js', variable: 'PORT', env: { PORT: 'abc', API_KEY: 'x'.repeat(20) } },
    {
      entry: 'apps/api/dist/main.js',
      variable: 'DATABASE_URL',
      env: { DATABASE_URL: 'mysql://x', API_KEY: 'x'.repeat(20) },
    },
    {
      entry: 'apps/worker/dist/main.js',
      variable: 'MSG_FAILURE_THRESHOLD',
      env: { MSG_FAILURE_THRESHOLD: 'lots' },
    },
    { entry: 'apps/scheduler/dist/main.js', variable: 'CLEANUP_INTERVAL', env: { CLEANUP_INTERVAL: '-5' } },
  ] as Array<{ entry: string; variable: string; env: Record<string, string> }>)(
    '$entry with a bad $variable exits 1 with one line naming it',
    async ({ entry, env, variable }) => {
      const { code, stderr } = await exitOf(runBuilt(entry, env), 20_000);
      expect(code).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    },
  );
});

describe('npm run dev (scripts/start.ts from source)', () => {
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

    let stopStarted = 0;
    try {
      const health = await waitForHealthOk(port);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', database: 'connected', redis: 'connected' });
      expect(output).toContain(`http://127.0.0.1:${port}/api/health`);
      expect(await waitForBeatingRoles(redis, prefix)).toEqual(['api', 'scheduler', 'worker']);
    } finally {
      // Also on failure: three processes must not outlive the test.
      stopStarted = Date.now();
      launcher.kill('SIGTERM');
    }

    const { code } = await exited;
    expect(code).toBe(0);
    expect(Date.now() - stopStarted).toBeLessThan(30_000);
    // Each process deleted its heartbeat on the way out: nothing is left pretending to be alive.
    expect(await listHeartbeats(redis, prefix)).toEqual([]);
    dir.cleanup();
  }, 90_000);
});
