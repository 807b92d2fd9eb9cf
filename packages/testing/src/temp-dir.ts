import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  path: string;
  /** Removes the directory and everything in it. Idempotent. */
  cleanup(): void;
}

// Safety net: whatever a test forgot (or a failed assertion skipped) is removed when the test
// process exits. Explicit cleanup() in afterAll/afterEach remains the rule.
const pending = new Set<string>();
process.once('exit', () => {
  for (const path of pending) rmSync(path, { recursive: true, force: true });
});

/** A fresh directory under os.tmpdir(), unique per call. Default prefix: 'wagw-test-'. */
export function createTempDir(prefix = 'wagw-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  pending.add(path);
  return {
    path,
    cleanup() {
      rmSync(path, { recursive: true, force: true });
      pending.delete(path);
    },
  };
}

export interface TempSqlite extends TempDir {
  /** `file:<absolute path>` for `createDatabase` / DATABASE_URL. */
  url: string;
  /** Absolute path of the database file (not created yet). */
  file: string;
}

/** A SQLite URL inside its own temp dir (so -wal/-shm files go too). Default file name: 'test.db'. */
export function tempSqliteUrl(fileName = 'test.db'): TempSqlite {
  const dir = createTempDir('wagw-sqlite-');
  const file = join(dir.path, fileName);
  return { ...dir, file, url: `file:${file}` };
}
