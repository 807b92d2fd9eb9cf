import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest folder, starting at the one holding `moduleUrl` and going up, that contains
 * `relativePath`; undefined when none does. Paths next to the code are searched for rather than
 * written as a fixed `../../..`, because the same module runs from apps/api/src/plugins/ (from
 * source) and inlined into apps/api/dist/main.js (the production bundle), at another depth.
 */
export function findUp(moduleUrl: string, relativePath: string): string | undefined {
  for (let dir = dirname(fileURLToPath(moduleUrl)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, relativePath))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
