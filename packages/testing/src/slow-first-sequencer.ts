import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { planOrder } from './test-plan.js';

/** End-to-end and browser files: seconds to minutes each, where unit files take milliseconds. */
const LONG_RUNNING = /\.(e2e|browser)\.test\.ts$/;

/**
 * Files that load both cores for a minute or more (thousands of Signal-encrypted messages, a
 * topology of seven processes, a soak): with three of them at once on 2 cores every process in
 * them starves, leases expire and floods miss their deadlines (seen in CI with all four heaviest
 * started together). At most two run at once.
 */
const HEAVY = new Set([
  'apps/worker/test/bulk-delivery.e2e.test.ts',
  'apps/worker/test/redis-faults.e2e.test.ts',
  'apps/worker/test/soak.e2e.test.ts',
  'apps/worker/test/media-bulk.e2e.test.ts',
  'apps/worker/test/topology-postgres.e2e.test.ts',
  'apps/worker/test/topology-sqlite.e2e.test.ts',
  'apps/worker/test/memory.e2e.test.ts',
  'apps/worker/test/outage.e2e.test.ts',
  'apps/worker/test/inbound-flood.e2e.test.ts',
  'apps/worker/test/inbound.e2e.test.ts',
  'apps/worker/test/memory-pressure.e2e.test.ts',
  'apps/api/test/fuzz.test.ts',
]);
const MAX_HEAVY_AT_ONCE = 2;

/**
 * Durations measured in a full run (file → ms, paths from the repository root), for a fresh clone
 * where vitest has no timings of its own: CI always runs from one. Regenerate after a full run with
 * `node scripts/test/record-durations.ts`.
 */
const MEASURED: Record<string, number> = JSON.parse(
  readFileSync(new URL('./test-durations.json', import.meta.url), 'utf8'),
);

/**
 * Orders test files so the run ends soon and never stacks the heavy ones: longest first across
 * all projects (vitest's own order ran the projects one after another, so the longest files
 * started last), planned as the pool will run them (planOrder). Timings come from vitest's cache
 * of the last run, else from test-durations.json, else from the kind of file.
 */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const path = (spec: TestSpecification) => relative(root, spec.moduleId);
    const cached = (spec: TestSpecification) =>
      this.ctx.cache.getFileTestResults(`${spec.project.name}:${path(spec)}`)?.duration;
    const estimate = (spec: TestSpecification) =>
      cached(spec) ?? MEASURED[path(spec)] ?? (LONG_RUNNING.test(spec.moduleId) ? 20_000 : 500);
    const slots = Number(this.ctx.config.maxWorkers) || 1;
    return planOrder(
      files.map((spec) => ({ item: spec, ms: estimate(spec), heavy: HEAVY.has(path(spec)) })),
      slots,
      MAX_HEAVY_AT_ONCE,
    );
  }
}
