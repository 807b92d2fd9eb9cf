import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** End-to-end and browser files: seconds to minutes each, where unit files take milliseconds. */
const LONG_RUNNING = /\.(e2e|browser)\.test\.ts$/;

/**
 * Orders test files longest first, so the run does not end with one long file on one core while
 * the other idles: short files fill the gaps at the end. Without timings of an earlier run (a fresh
 * clone) the kind of file decides, then its size.
 */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const key = (spec: TestSpecification) => `${spec.project.name}:${relative(root, spec.moduleId)}`;
    const duration = (spec: TestSpecification) => this.ctx.cache.getFileTestResults(key(spec))?.duration;
    const size = (spec: TestSpecification) => this.ctx.cache.getFileStats(key(spec))?.size ?? 0;
    const long = (spec: TestSpecification) => (LONG_RUNNING.test(spec.moduleId) ? 1 : 0);
    return [...files].sort((a, b) => {
      const da = duration(a);
      const db = duration(b);
      if (da !== undefined && db !== undefined) return db - da;
      return long(b) - long(a) || size(b) - size(a);
    });
  }
}
