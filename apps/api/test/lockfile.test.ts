import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './launcher-helpers.js';

// The Dockerfile installs with `npm ci`, which refuses a package-lock.json that does not match the
// manifests (a review found one missing an optional dependency of vite: `npm install` fixes that
// silently, `npm ci` fails). `npm ci --dry-run` runs the same check without touching node_modules,
// on a copy of the manifests, in about a second.

const run = promisify(execFile);
const dirs: string[] = [];

/** A temp dir holding the root manifest, the lockfile and every workspace's package.json. */
function manifestCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wagw-lock-'));
  dirs.push(dir);
  const files = ['package.json', 'package-lock.json'];
  for (const group of ['apps', 'packages']) {
    for (const entry of readdirSync(join(ROOT, group), { withFileTypes: true })) {
      if (entry.isDirectory()) files.push(join(group, entry.name, 'package.json'));
    }
  }
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  return dir;
}

async function npmCiDryRun(dir: string): Promise<{ code: number; stderr: string }> {
  try {
    await run('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: dir,
      timeout: 120_000,
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failure = error as { code?: number; stderr?: string };
    return { code: failure.code ?? 1, stderr: failure.stderr ?? '' };
  }
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('package-lock.json', () => {
  it('is in sync with every manifest, so `npm ci` (the Dockerfile) installs', async () => {
    expect(await npmCiDryRun(manifestCopy())).toMatchObject({ code: 0 });
  });

  it('the check fails when an optional dependency is missing from the lock', async () => {
    const dir = manifestCopy();
    const lockPath = join(dir, 'package-lock.json');
    const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as {
      packages: Record<string, { optionalDependencies?: Record<string, string> }>;
    };
    // A hoisted optional dependency of a hoisted package, as vite's was.
    const missing = Object.entries(lock.packages)
      .filter(([key]) => /^node_modules\/[^/]+(\/[^/]+)?$/.test(key) && !key.includes('/node_modules/', 1))
      .flatMap(([, entry]) => Object.keys(entry.optionalDependencies ?? {}))
      .map((name) => `node_modules/${name}`)
      .find((key) => key in lock.packages);
    expect(missing).toBeDefined();
    delete lock.packages[missing as string];
    writeFileSync(lockPath, JSON.stringify(lock, null, 2));
    const result = await npmCiDryRun(dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('are in sync');
  });
});
