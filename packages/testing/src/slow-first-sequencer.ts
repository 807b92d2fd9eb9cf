import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { type FileCost, orderFiles } from './file-order.js';

/** End-to-end and browser files: seconds to minutes each, where unit files take milliseconds. */
const LONG_RUNNING = /\.(e2e|browser)\.test\.ts$/;

/** Wall and CPU time per file from a full run (scripts/test/file-costs.ts writes it). */
function readCosts(root: string): Record<string, FileCost> {
  const file = join(root, 'packages/testing/file-costs.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, FileCost>) : {};
}

/**
 * Orders test files longest first, so the run does not end with one long file on one core while
 * the other idles: short files fill the gaps at the end. A file's length is its duration in the
 * last run vitest remembers, else its wall time in file-costs.json (a fresh clone, as in CI), else
 * a guess from its kind and size. Files that mostly wait are spread among busy ones
 * (file-order.ts).
 */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const costs = readCosts(root);
    const path = (spec: TestSpecification) => relative(root, spec.moduleId);
    const key = (spec: TestSpecification) => `${spec.project.name}:${path(spec)}`;
    // A file never timed: an end-to-end file as a typical one (~20 s), a unit file by its size.
    const guess = (spec: TestSpecification) => {
      const size = this.ctx.cache.getFileStats(key(spec))?.size ?? 0;
      return LONG_RUNNING.test(spec.moduleId) ? 20_000 + size : size / 100;
    };
    return orderFiles(
      files.map((spec) => {
        const cost = costs[path(spec)];
        const durationMs =
          this.ctx.cache.getFileTestResults(key(spec))?.duration ?? cost?.wallMs ?? guess(spec);
        return { item: spec, durationMs, ...(cost ? { cost } : {}) };
      }),
    );
  }
}
