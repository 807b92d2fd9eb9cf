import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listHeartbeats } from '@wagw/queue';
import { createTempDir, freePort, redisUrl, uniquePrefix } from '@wagw/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, ROOT, runNode, waitForBeatingRoles, waitForHealthOk } from './launcher-helpers.js';

const AUDIT_HOOK = fileURLToPath(new URL('./fixtures/module-audit.mjs', import.meta.url));
/** What must never load in production: the TypeScript toolchain, or a TypeScript source. */
const TOOLCHAIN = /[/\\]node_modules[/\\](tsx|typescript|esbuild)[/\\]|\.[cm]?tsx?$/;

/** `npm start`'s command from package.json, as argv for node (npm adds nothing the test needs). */
function npmStartArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = pkg.scripts.start.split(' ');
  expect(command).toBe('node');
  return args;
}

const redis = new Redis(redisUrl());
afterAll(() => redis.disconnect());

beforeAll(() => {
  // The bundling step of `npm run build` (the dashboard is not needed here); ~1-2 s.
  const build = spawnSync('npm', ['run', 'build:server'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(build.status, build.stderr).toBe(0);
}, 90_000);

describe('npm start from the build', () => {
  it('runs api, worker and scheduler from compiled JavaScript, no TypeScript loaded', async () => {
    const dir = createTempDir('wagw-build-');
    const audit = createTempDir('wagw-audit-');
    const port = await freePort();
    const prefix = uniquePrefix('build');
    const args = npmStartArgs();
    expect(args).toContain('dist/start.js');
    const launcher = runNode(args, {
      NODE_OPTIONS: `--import=${AUDIT_HOOK}`,
      MODULE_AUDIT_DIR: audit.path,
      PORT: String(port),
      DATABASE_URL: `file:${dir.path}/wagw.db`,
      MEDIA_DIR: `${dir.path}/media`,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      API_KEY: 'k'.repeat(24),
      HEARTBEAT_INTERVAL: '500',
    });
    const exited = exitOf(launcher, 60_000);
    try {
      const health = await waitForHealthOk(port);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', database: 'connected', redis: 'connected' });
      expect(await waitForBeatingRoles(redis, prefix)).toEqual(['api', 'scheduler', 'worker']);
    } finally {
      launcher.kill('SIGTERM');
    }
    const { code, stderr } = await exited;
    expect(code, stderr).toBe(0);
    expect(await listHeartbeats(redis, prefix)).toEqual([]);

    // One module list per process (launcher + three roles), written as each exited.
    const lists = readdirSync(audit.path).map((file) =>
      readFileSync(join(audit.path, file), 'utf8').split('\n').filter(Boolean),
    );
    const entries = ['dist/start.js', ...['api', 'worker', 'scheduler'].map((r) => `apps/${r}/dist/main.js`)];
    for (const entry of entries) {
      const list = lists.find((modules) => modules.some((url) => url.endsWith(`/${entry}`)));
      expect(list, `a process loaded ${entry}`).toBeDefined();
      // Non-empty beyond the entry: the hook saw the process's imports (node_modules as published).
      expect(
        list!.some((url) => url.includes('/node_modules/')),
        `${entry} loaded its packages`,
      ).toBe(true);
      expect(
        list!.filter((url) => TOOLCHAIN.test(url)),
        `${entry} loaded toolchain files`,
      ).toEqual([]);
    }
    expect(lists).toHaveLength(entries.length);
    dir.cleanup();
    audit.cleanup();
  }, 90_000);
});
