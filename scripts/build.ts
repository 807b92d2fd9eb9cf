/**
 * `npm run build:server`: bundles every process production runs into one ESM file each, with a
 * source map beside it, so production starts them with plain `node --enable-source-maps`.
 *
 * - The @wagw/* workspace packages (exported as TypeScript source) are inlined: no package needs a
 *   compiled copy of its own, and a process loads one file of ours instead of hundreds of .ts ones.
 * - Every other bare import (fastify, Baileys, better-sqlite3, sharp, pino...) stays external and is
 *   loaded from node_modules as published: native addons, worker threads and files a package reads
 *   next to itself keep working, and `npm prune --omit=dev` decides what the image carries.
 * Why esbuild rather than tsc project references: docs/operations.md, "Production build".
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  BUNDLES,
  type Bundle,
  checkClassNames,
  checkInputs,
  checkOutput,
  externalPackages,
  type Mismatch,
} from './build/bundles.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function bundle({ in: entry, out }: Bundle): Promise<{ bytes: number; problems: string[] }> {
  const mismatches: Mismatch[] = [];
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [{ in: entry, out }],
    outdir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    // The sources travel in the map: stack traces and debuggers show TypeScript without a checkout.
    sourcesContent: true,
    // No keepNames: it wraps every named function in `__name(fn, "fn")` each time it is created,
    // which gives each closure a property store of its own (~330 bytes; at ~60 closures per session
    // that was ~20 KiB of heap per session). Names stay as written anyway unless two modules'
    // top-level names collide; `checkOutput` fails the build if that renames a class (pino's
    // err.type shows class names).
    metafile: true,
    // Written below, each file by rename: a process starting while the tests rebuild (vitest's
    // global setup and production-build.e2e.test.ts both build) reads the old bundle or the new one,
    // never half of one.
    write: false,
    logLevel: 'warning',
    plugins: [externalPackages(ROOT, out, mismatches)],
  });
  const problems = [
    ...checkInputs(result.metafile),
    ...mismatches.map((m) => m.message),
    ...result.outputFiles
      .filter((file) => file.path.endsWith('.js'))
      .flatMap((file) => [
        ...checkOutput(`${out}.js`, file.text),
        ...checkClassNames(`${out}.js`, file.text, result.metafile, ROOT),
      ]),
  ];
  if (result.warnings.length > 0)
    problems.push(`${entry}: ${result.warnings.length} esbuild warning(s) above`);
  if (problems.length === 0) {
    for (const file of result.outputFiles) {
      const temp = `${file.path}.${process.pid}.tmp`;
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(temp, file.contents);
      renameSync(temp, file.path);
    }
  }
  return { bytes: result.metafile.outputs[`${out}.js`]?.bytes ?? 0, problems };
}

const started = performance.now();
const results = await Promise.all(BUNDLES.map(bundle));
const problems = results.flatMap((r) => r.problems);
if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`build: ${problem}\n`);
  process.exit(1);
}
BUNDLES.forEach(({ out }, i) => {
  process.stdout.write(`  ${out}.js  ${Math.round((results[i]?.bytes ?? 0) / 1024)} KiB\n`);
});
process.stdout.write(`bundled ${BUNDLES.length} entries in ${Math.round(performance.now() - started)} ms\n`);
