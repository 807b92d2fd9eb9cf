/**
 * Renders a soak report (`SOAK_REPORT=… apps/worker/test/soak.e2e.test.ts`) as an SVG chart: one
 * panel per series over time, each scaled to its own maximum. Usage: tsx scripts/soak-chart.ts <report.json> <out.svg>
 */
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: tsx scripts/soak-chart.ts <report.json> <out.svg>\n');
  process.exit(2);
}
type Sample = Record<string, number> & { t: number };
const report = JSON.parse(readFileSync(input, 'utf8')) as { soakMs: number; samples: Sample[] };
const series: Array<[key: string, label: string, unit: number, suffix: string]> = [
  ['workerHeap', 'worker heap', 2 ** 20, 'MiB'],
  ['workerHeapAfterGc', 'worker heap after full GC', 2 ** 20, 'MiB'],
  ['workerRss', 'worker RSS', 2 ** 20, 'MiB'],
  ['apiRss', 'API RSS', 2 ** 20, 'MiB'],
  ['workerHandles', 'worker handles', 1, ''],
  ['loopP99Ms', 'worker event-loop p99', 1, 'ms'],
  ['redisMemory', 'Redis (this prefix)', 2 ** 20, 'MiB'],
];
const W = 640;
const H = 110;
const PAD = 40;
const end = report.samples.at(-1)?.t ?? report.soakMs;
const panels = series.map(([key, label, unit, suffix], i) => {
  const values = report.samples.map((s) => (s[key] ?? 0) / unit);
  const max = Math.max(1e-9, ...values);
  const top = i * (H + 20) + 20;
  const points = report.samples
    .map(
      (s, j) =>
        `${(PAD + (s.t / end) * (W - 2 * PAD)).toFixed(1)},${(top + H - (values[j]! / max) * H).toFixed(1)}`,
    )
    .join(' ');
  return [
    `<text x="${PAD}" y="${top - 4}" font-size="12">${label}: max ${max.toFixed(1)} ${suffix}, last ${values.at(-1)?.toFixed(1)} ${suffix}</text>`,
    `<rect x="${PAD}" y="${top}" width="${W - 2 * PAD}" height="${H}" fill="none" stroke="#ccc"/>`,
    `<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="${points}"/>`,
  ].join('\n');
});
const height = series.length * (H + 20) + 30;
writeFileSync(
  output,
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="sans-serif">\n` +
    `<text x="${PAD}" y="${height - 6}" font-size="11">time: 0 to ${Math.round(end / 1000)} s (each panel scaled to its own maximum, from 0)</text>\n` +
    `${panels.join('\n')}\n</svg>\n`,
);
