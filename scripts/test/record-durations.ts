/**
 * Writes packages/testing/src/test-durations.json from vitest's cache of the last run (every file
 * of 1 s or more, rounded to 100 ms): the timings the test sequencer plans a fresh clone's run with.
 * Run after a full `npm test`: `npm run test:durations`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const cacheDir = 'node_modules/.vite/vitest';
const results = readdirSync(cacheDir).map((dir) => join(cacheDir, dir, 'results.json'));
const durations: Record<string, number> = {};
for (const file of results) {
  const { results: entries } = JSON.parse(readFileSync(file, 'utf8')) as {
    results: Array<[string, { duration?: number; failed?: boolean }]>;
  };
  for (const [key, result] of entries) {
    const path = key.slice(key.indexOf(':') + 1);
    if (result.duration !== undefined && result.duration >= 1000)
      durations[path] = Math.round(result.duration / 100) * 100;
  }
}
const sorted = Object.fromEntries(Object.entries(durations).sort((a, b) => b[1] - a[1]));
writeFileSync('packages/testing/src/test-durations.json', `${JSON.stringify(sorted, null, 2)}\n`);
console.info(`${Object.keys(sorted).length} files written to packages/testing/src/test-durations.json`);
