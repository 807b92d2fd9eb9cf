import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One vitest project per workspace, named after its package, so `vitest run --project @wagw/db`
// runs one package and `vitest run` runs everything with the same settings. Paths are taken from
// this file's directory, not the working directory: each workspace's `test` script runs vitest from
// inside the workspace.
const repoRoot = fileURLToPath(new URL('.', import.meta.url));
const workspaces = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(repoRoot, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(repoRoot, group, entry.name)),
);

export default defineConfig({
  test: {
    // Forks, not threads: native modules (better-sqlite3) and tests that spawn and signal processes.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: workspaces.map((dir) => ({
      extends: true,
      test: {
        name: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name as string,
        root: dir,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
