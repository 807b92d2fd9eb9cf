import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLES } from '../../../scripts/build/bundles.js';
import { ROOT } from './launcher-helpers.js';

// No Docker engine runs where the tests run, so the Dockerfile is checked statically: its stages,
// what the final one carries, and that every file it or docker-compose.yml runs is one the build makes.

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions per stage (comments dropped, `\` continuations joined). */
function stages(text: string): Instruction[][] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: Instruction[][] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

const all = stages(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const build = all[0] ?? [];
const final = all.at(-1) ?? [];
const buildName = /\sAS\s+(\S+)/i.exec(build[0]?.args ?? '')?.[1];
const of = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword);
/** What the final stage copies from the build stage: the source path of each such COPY. */
const copied = of(final, 'COPY')
  .filter((copy) => copy.args.startsWith(`--from=${buildName} `))
  .map((copy) => copy.args.split(/\s+/)[1]?.replace(/^\/app\//, '') ?? '');
const isCopied = (file: string) => copied.some((from) => file === from || file.startsWith(`${from}/`));
const bundleFiles = new Set(BUNDLES.map((bundle) => `${bundle.out}.js`));

describe('Dockerfile', () => {
  it('builds in one stage and runs from another that copies from it', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(buildName).toBeDefined();
    expect(copied.length).toBeGreaterThan(0);
    // The whole context (sources, tests, configs) only ever enters the build stage.
    expect(of(final, 'COPY').filter((copy) => !copy.args.startsWith('--from='))).toEqual([]);
  });

  it('builds everything, then keeps only production dependencies', () => {
    const run = of(build, 'RUN')
      .map((i) => i.args)
      .join(' && ');
    const install = run.indexOf('npm ci');
    expect(install).toBeGreaterThanOrEqual(0);
    expect(run.indexOf('npm prune --omit=dev')).toBeGreaterThan(install);
    // The final stage installs nothing with npm: its node_modules is the pruned one.
    for (const { args } of of(final, 'RUN')) expect(args).not.toMatch(/\bnpm (ci|install|i)\b/);
    expect(isCopied('node_modules')).toBe(true);
  });

  it('carries the bundles, the dashboard, the migrations and nested node_modules', () => {
    for (const file of bundleFiles) expect(isCopied(file), file).toBe(true);
    expect(isCopied('apps/dashboard/dist/index.html')).toBe(true);
    expect(isCopied('drizzle/sqlite/meta/_journal.json')).toBe(true);
    expect(isCopied('drizzle/pg/meta/_journal.json')).toBe(true);
    // The API reads its version from its package.json, next to its bundle.
    expect(isCopied('apps/api/package.json')).toBe(true);
    // A dependency npm could not hoist is resolved from the app's own node_modules.
    for (const role of ['api', 'worker', 'scheduler']) {
      const nested = join(ROOT, 'apps', role, 'node_modules');
      const hasPackages = existsSync(nested) && readdirSync(nested).some((name) => !name.startsWith('.'));
      if (hasPackages) expect(isCopied(`apps/${role}/node_modules`), `apps/${role}/node_modules`).toBe(true);
    }
  });

  it('runs as a user other than root, in production mode, with a health check', () => {
    const user = of(final, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(of(final, 'ENV').some((env) => /NODE_ENV[= ]production/.test(env.args))).toBe(true);
    expect(of(final, 'HEALTHCHECK').at(-1)?.args).toMatch(/\/api\/health\/live/);
  });

  it('starts the API bundle with plain node', () => {
    const cmd = JSON.parse(of(final, 'CMD').at(-1)?.args ?? '[]') as string[];
    expect(cmd).toEqual(['node', '--enable-source-maps', 'apps/api/dist/main.js']);
    expect(of(final, 'ENTRYPOINT')).toEqual([]);
  });
});

describe('docker-compose.yml runs what the image carries', () => {
  // Its commands and health checks are checked one by one in packages/config/test/docker-compose.test.ts.
  const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  it('names no TypeScript entry and no tsx', () => {
    expect(compose).not.toMatch(/tsx|\.ts"/);
  });
  it('runs only files the build makes and the image carries', () => {
    const files = [...compose.matchAll(/"([^"\s]+\.js)"/g)].map((match) => match[1] ?? '');
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      expect(bundleFiles.has(file), `${file} is built`).toBe(true);
      expect(isCopied(file), `${file} is in the image`).toBe(true);
    }
  });
});

describe('.dockerignore', () => {
  it('keeps host installs, builds and secrets out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '.env', 'data']) expect(ignored).toContain(pattern);
  });
});
