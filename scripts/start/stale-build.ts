import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Source folders the bundles are built from; in a Docker image none exists and nothing is checked. */
const SOURCE_DIRS = ['apps/api/src', 'apps/worker/src', 'apps/scheduler/src', 'packages', 'scripts'];

function newestTs(dir: string, skip: (name: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTs(path, skip));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * True when a TypeScript source in this checkout changed after the bundles were built: `npm start`
 * would then run yesterday's code without a word. A walk over a few hundred files, a few ms.
 */
export function buildIsStale(root: string, bundles: string[]): boolean {
  const built = Math.min(...bundles.map((file) => statSync(join(root, file)).mtimeMs));
  const skip = (name: string) => name === 'node_modules' || name === 'dist' || name === 'test';
  return SOURCE_DIRS.some((dir) => existsSync(join(root, dir)) && newestTs(join(root, dir), skip) > built);
}
