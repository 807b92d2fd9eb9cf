import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './packages/testing/src/slow-first-sequencer.js';

// One project for every workspace's tests, not one per workspace: vitest keeps a fork (and the
// modules it imported) for the next file only when that file belongs to the same project, so with
// sixteen projects and files ordered longest first across them it started a new fork for most
// files (167 forks for 253 files in one run, each importing vitest, Baileys, drizzle and the rest
// again). One workspace's tests: `npx vitest run apps/api/` (a path filter). Paths are taken from
// this file's directory, not the working directory: each workspace's `test` script runs vitest
// from the repository root.
const repoRoot = fileURLToPath(new URL('.', import.meta.url));
// libsignal (inside Baileys) logs every session it opens or closes with console.log/info/warn: in
// tests that move thousands of messages that is megabytes of output nobody reads.
const LIBSIGNAL_NOISE =
  /^(Closing session|Closing open session|Removing old closed session|Session already|Migrating session|Decrypted message with closed session)/;

export default defineConfig({
  test: {
    // Forks, not threads: native modules (better-sqlite3) and tests that spawn and signal processes.
    pool: 'forks',
    // Vitest's default is one fewer worker than CPUs: one on the 2-core machines this runs on, so
    // files ran one after another. Most files wait (on child processes, Redis, backoff), not
    // compute, so more than two keep both cores busy. Three, not four: on a 2-core machine ~1.7 ×
    // slower per core than the one four were chosen on, four files at once (each with its own
    // worker and API processes) held the in-process simulators off the CPU for seconds, and each
    // full run failed one or two liveness waits. VITEST_MAX_WORKERS overrides it.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 3),
    // A fork runs its files one after another in one module graph instead of importing Baileys,
    // drizzle, Fastify and the rest afresh for every file: on 2 cores that was a third of the
    // workers' time (import 322 s of 1,900 s), and the whole run went from 512 s to 423 s. Safe
    // because tests keep no global state across files: every app, database, Redis prefix and
    // simulator is per file, stubs are undone in afterEach (vi.unstubAll*, useRealTimers), and the
    // processes that install signal handlers are spawned, not imported. VITEST_ISOLATE=true
    // restores a fresh module graph per file, to tell a leak between files from a real failure.
    isolate: process.env.VITEST_ISOLATE === 'true',
    onConsoleLog: (log) => !LIBSIGNAL_NOISE.test(log),
    // Longest files first (packages/testing/src/slow-first-sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The ten slowest files after every run (docs/architecture.md, "Where tests live").
    reporters: ['default', join(repoRoot, 'packages/testing/src/slowest-files-reporter.ts')],
    // Redis and PostgreSQL must answer before any file runs: one line saying how to get them if not.
    // Then the process bundles the end-to-end tests start are rebuilt from the current sources.
    // VITEST_CPU_REPORT=<file>: CPU per test file, its own and its child processes' (off otherwise).
    setupFiles: [join(repoRoot, 'packages/testing/src/cpu-per-file.setup.ts')],
    globalSetup: [
      join(repoRoot, 'packages/testing/src/services-setup.ts'),
      join(repoRoot, 'scripts/test/build-bundles.setup.ts'),
    ],
    root: repoRoot,
    include: ['{apps,packages}/*/{src,test}/**/*.test.ts'],
  },
});
