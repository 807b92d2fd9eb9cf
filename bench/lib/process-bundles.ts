import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let built = false;

/**
 * Rebuilds the process bundles (`npm run build:server`) the benches start the API and workers from
 * (apps/<role>/dist/main.js, what `npm start` runs), as vitest's global setup does before the tests:
 * a bench must measure the sources in the work tree, not whatever bundle the last build left. Once
 * per bench process.
 */
export function buildProcessBundles(): void {
  if (built) return;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (result.status !== 0) throw new Error(`npm run build:server failed:\n${result.stderr || result.stdout}`);
  built = true;
}
