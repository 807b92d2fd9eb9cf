import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MissingToolError, requireTool } from '../src/tools.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CONFIG = fileURLToPath(new URL('./fixtures/vitest.fixture.config.ts', import.meta.url));

/** Runs the fixture file through vitest as `npm test` would, with `env` on top of ours. */
function runFixture(env: Record<string, string>): { code: number | null; output: string } {
  const result = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', CONFIG], {
    cwd: ROOT,
    env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, output: `${result.stdout}\n${result.stderr}` };
}

/** Lines of a stack trace ("    at fn (file:line:col)"). */
const STACK_FRAME = /^\s+at .+[:(]/m;

afterEach(() => vi.unstubAllEnvs());

describe('a missing tool', () => {
  it('is one line naming the tool and its install command, with no stack frames', () => {
    vi.stubEnv('PROMTOOL_PATH', '/nonexistent/promtool');
    let error: unknown;
    try {
      requireTool('promtool');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MissingToolError);
    const { message, stack } = error as Error;
    expect(message).not.toContain('\n');
    expect(message).toContain('promtool not found at /nonexistent/promtool');
    expect(message).toContain('`apt-get install prometheus`');
    expect(stack).not.toMatch(STACK_FRAME);
  });

  it('is found on PATH or at its path when present', () => {
    vi.stubEnv('FFMPEG_PATH', process.execPath);
    expect(requireTool('ffmpeg')).toBe(process.execPath);
    vi.stubEnv('FFMPEG_PATH', 'node');
    expect(requireTool('ffmpeg')).toMatch(/\/node$/);
  });

  it('fails the test file that needs it with that line in vitest output', () => {
    const { code, output } = runFixture({ FFMPEG_PATH: '/nonexistent/ffmpeg' });
    expect(code).toBe(1);
    expect(output).toContain(
      'MissingToolError: ffmpeg not found at /nonexistent/ffmpeg (needed for making sample audio and video): install it with `apt-get install ffmpeg`',
    );
    expect(output).not.toMatch(STACK_FRAME);
  });

  it('a service that does not answer stops the run before any file, one line each', () => {
    const { code, output } = runFixture({
      TEST_REDIS_URL: 'redis://127.0.0.1:1',
      TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:2/test',
    });
    expect(code).not.toBe(0);
    expect(output).toContain(
      'Redis not answering at 127.0.0.1:1: apt-get install redis-server, then `redis-server --daemonize yes` (or set TEST_REDIS_URL)',
    );
    expect(output).toContain('PostgreSQL not answering at 127.0.0.1:2:');
    expect(output).not.toContain('would make a sample file');
    expect(output).not.toMatch(STACK_FRAME);
  });
});
