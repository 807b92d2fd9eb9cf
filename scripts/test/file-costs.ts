/**
 * `npm run test:file-costs -- <cpu-report.jsonl>`: writes packages/testing/file-costs.json, the
 * wall and CPU time of each test file that takes a second or more, from the report of a full run
 * (`VITEST_CPU_REPORT=<file> npx vitest run`). The sequencer reads it to start files that mostly
 * wait beside files that keep the cores busy (packages/testing/src/file-order.ts). Regenerate it
 * when files are added or change much; a file it does not list counts as busy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const report = process.argv[2];
if (!report) {
  process.stderr.write('usage: npm run test:file-costs -- <cpu-report.jsonl>\n');
  process.exit(2);
}
const OUT = fileURLToPath(new URL('../../packages/testing/file-costs.json', import.meta.url));
const rounded = (ms: number) => Math.round(ms / 100) * 100;
const costs: Record<string, { wallMs: number; cpuMs: number }> = {};
for (const line of readFileSync(report, 'utf8').split('\n').filter(Boolean)) {
  const r = JSON.parse(line) as { file: string; selfMs: number; childrenMs: number; wallMs: number };
  if (r.wallMs < 1000) continue;
  costs[r.file] = { wallMs: rounded(r.wallMs), cpuMs: rounded(r.selfMs + r.childrenMs) };
}
const sorted = Object.fromEntries(Object.entries(costs).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(OUT, `${JSON.stringify(sorted, null, 2)}\n`);
process.stdout.write(`${Object.keys(sorted).length} files written to ${OUT}\n`);
