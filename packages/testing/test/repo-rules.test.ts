import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Rules about the repository as a whole, checked here because no linter knows them. This file
// lives in @wagw/testing only so that vitest runs it; it tests no fixture.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const SOURCE_DIRS = ['apps', 'packages', 'scripts', 'bench'];
const SKIPPED_DIRS = new Set(['node_modules', '.turbo', 'coverage', 'data']);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : tsFiles(join(dir, entry.name));
    return entry.isFile() && entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [];
  });
}

const files = SOURCE_DIRS.flatMap((dir) => tsFiles(join(root, dir))).map((file) => relative(root, file));

describe('repository rules', () => {
  it('finds the source files it checks', () => {
    expect(files).toContain('packages/testing/test/repo-rules.test.ts');
    expect(files).toContain('apps/api/src/main.ts');
  });

  // A file's name says what it holds: two files of one name doing different things send readers
  // (and imports) to the wrong one. Package barrels and process entries are named by their role.
  it('no two source files share a base name, except index.ts and main.ts', () => {
    const byName = new Map<string, string[]>();
    for (const file of files) {
      const name = basename(file);
      if (name === 'index.ts' || name === 'main.ts') continue;
      byName.set(name, [...(byName.get(name) ?? []), file]);
    }
    const shared = [...byName.values()].filter((paths) => paths.length > 1);
    expect(shared).toEqual([]);
  });

  // The resilience policies (breaker, timeout, bulkhead) are wrapped once in packages/resilience,
  // with our defaults and errors; code that reaches for cockatiel directly bypasses both.
  it('nothing outside packages/resilience imports cockatiel', () => {
    const importsCockatiel =
      /(?:from\s+|import\s*\(\s*|import\s+|require\s*\(\s*)['"]cockatiel(?:\/[^'"]*)?['"]/;
    const offenders = files.filter(
      (file) =>
        !file.startsWith('packages/resilience/') &&
        importsCockatiel.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('no workspace but @wagw/resilience depends on cockatiel', () => {
    const workspaces = ['apps', 'packages'].flatMap((group) =>
      readdirSync(join(root, group), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(group, entry.name, 'package.json')),
    );
    const manifests = ['package.json', ...workspaces];
    const dependents = manifests.filter((manifest) => {
      const pkg = JSON.parse(readFileSync(join(root, manifest), 'utf8'));
      const declared = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies };
      return pkg.name !== '@wagw/resilience' && 'cockatiel' in declared;
    });
    expect(dependents).toEqual([]);
  });
});
