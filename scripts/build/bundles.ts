import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import type { Metafile, Plugin } from 'esbuild';

/** One bundle: a process or command production runs. `out` is relative to the repo, without `.js`. */
export interface Bundle {
  in: string;
  out: string;
}

/**
 * What production runs: the three roles, the `npm start` launcher, the container health check of
 * the worker and scheduler (docker-compose.yml) and `npm run db:migrate`. Each role's bundle sits in
 * its own app (apps/<role>/dist/main.js), so it resolves its externals from the same node_modules
 * folders as its source does (apps/worker/node_modules holds a sharp of its own).
 */
export const BUNDLES: readonly Bundle[] = [
  { in: 'apps/api/src/main.ts', out: 'apps/api/dist/main' },
  { in: 'apps/worker/src/main.ts', out: 'apps/worker/dist/main' },
  { in: 'apps/scheduler/src/main.ts', out: 'apps/scheduler/dist/main' },
  { in: 'scripts/start.ts', out: 'dist/start' },
  { in: 'scripts/heartbeat-check.ts', out: 'dist/heartbeat-check' },
  { in: 'packages/db/src/cli/migrate.ts', out: 'dist/db-migrate' },
];

/** A bare import whose package the bundle would load from another folder than its source does. */
export interface Mismatch {
  message: string;
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/** The folder Node's resolution would take `name` from, starting at `dir`; undefined if none. */
function packageDir(name: string, dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * Inlines `@wagw/*` and relative imports; leaves every other bare import to Node at run time. A
 * package inlined from packages/x resolves its externals from the bundle's folder, not from
 * packages/x: when those differ (a version npm could not hoist), the bundle would silently load
 * another version, so it is recorded in `mismatches` and the build fails.
 */
export function externalPackages(root: string, outFile: string, mismatches: Mismatch[]): Plugin {
  const outDir = dirname(join(root, outFile));
  return {
    name: 'external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@wagw/')) return undefined;
        if (!isBuiltin(args.path) && args.importer) {
          const name = packageName(args.path);
          const fromSource = packageDir(name, args.resolveDir);
          const fromBundle = packageDir(name, outDir);
          if (fromSource !== fromBundle) {
            mismatches.push({
              message:
                `${relative(root, args.importer)} imports ${name} from ${fromSource ?? 'nowhere'}, ` +
                `but ${outFile}.js would load it from ${fromBundle ?? 'nowhere'}`,
            });
          }
        }
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * Everything inlined must be our own source: a file from node_modules in a bundle means a package
 * was bundled instead of loaded as published (and would escape `npm prune` and native loading).
 */
export function checkInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs)
    .filter((input) => input.includes('node_modules') || !/^(apps|packages|scripts)\//.test(input))
    .map((input) => `${input} was bundled; only apps/, packages/ and scripts/ sources may be`);
}

/**
 * esbuild turns a `require()` in inlined CommonJS into a `__require` shim that throws in an ESM
 * bundle. Our sources are ESM, so finding it means something CommonJS got inlined.
 */
export function checkOutput(file: string, text: string): string[] {
  return text.includes('__require(') ? [`${file} calls require() (CommonJS was inlined)`] : [];
}

const CLASS_NAME = /\bclass\s+([A-Za-z_$][\w$]*)/g;

/**
 * The bundle is built without esbuild's keepNames (see scripts/build.ts), so a class keeps its name
 * only if no other module of the bundle declares the same top-level name; else esbuild renames it
 * (`Foo` → `Foo2`) and pino's `err.type` and stack frames would show the new name. Every class name
 * in the bundle must be one declared in its sources.
 */
export function checkClassNames(file: string, text: string, metafile: Metafile, root: string): string[] {
  const declared = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    for (const m of readFileSync(join(root, input), 'utf8').matchAll(CLASS_NAME))
      declared.add(m[1] as string);
  }
  const renamed = new Set<string>();
  for (const m of text.matchAll(CLASS_NAME)) {
    const name = m[1] as string;
    if (name !== 'extends' && !declared.has(name)) renamed.add(name);
  }
  return [...renamed].map(
    (name) =>
      `${file}: class ${name} was renamed by the bundler (two modules declare the same name); rename one`,
  );
}
