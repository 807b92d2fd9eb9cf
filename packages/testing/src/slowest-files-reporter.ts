import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** How many files the summary lists. */
const LISTED = 10;

/**
 * Prints the ten slowest test files after every run (vitest.config.ts adds it beside the default
 * reporter), so a file that grew slow shows up in the run that made it slow, not in a later
 * investigation. A file's time is what it cost the run: import plus every test and hook.
 */
export default class SlowestFilesReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const timed = modules
      .map((module) => {
        const d = module.diagnostic();
        return { file: module.moduleId, ms: d.collectDuration + d.setupDuration + d.duration };
      })
      .sort((a, b) => b.ms - a.ms)
      .slice(0, LISTED);
    if (timed.length === 0) return;
    const lines = timed.map(
      ({ file, ms }) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${relative(process.cwd(), file)}`,
    );
    process.stdout.write(`\nSlowest ${timed.length} test files:\n${lines.join('\n')}\n`);
  }
}
