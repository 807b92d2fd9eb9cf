/**
 * `npm run bench`: runs every `bench:*` script of the root package.json one after the other (they
 * share a 2-core machine; in parallel they would measure each other), then lists which failed.
 * Exits non-zero when any of them did. `BENCH_ONLY=api-send,bulk-accept` picks a subset.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const only = process.env.BENCH_ONLY?.split(',').map((name) => `bench:${name.trim()}`);
const names = Object.keys(pkg.scripts)
  .filter((name) => name.startsWith('bench:'))
  .filter((name) => !only || only.includes(name));

const failed: string[] = [];
for (const name of names) {
  console.log(`\n=== npm run ${name}`);
  const started = Date.now();
  const result = spawnSync('npm', ['run', '--silent', name], { cwd: ROOT, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) failed.push(name);
  console.log(
    `=== ${name}: ${result.status === 0 ? 'done' : `FAILED (${result.status ?? result.signal})`} in ${seconds} s`,
  );
}
console.log(
  `\n${names.length - failed.length} of ${names.length} benchmarks ran${failed.length ? `; failed: ${failed.join(', ')}` : ''}`,
);
if (failed.length > 0) process.exitCode = 1;
