import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Vitest global setup: rebuilds the process bundles (`npm run build:server`, ~1.5 s) before any test
 * file runs. End-to-end tests start the API, worker and scheduler from apps/<role>/dist/main.js, as
 * production does: a process started through tsx spent another ~1.2 s of CPU compiling sources, and
 * the suite starts a few hundred of them. Rebuilding every run keeps the bundles exactly the sources
 * under test, including edits made since `npm install`.
 */
export default function buildBundles(): void {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) {
    const error = new Error(`npm run build:server failed:\n${result.stderr || result.stdout}`);
    error.stack = error.message;
    throw error;
  }
}
