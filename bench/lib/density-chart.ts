/**
 * The session-density chart: resident memory (MiB) against open sessions, one line for the worker
 * and one for raw Baileys sockets, drawn as plain SVG from the measured points (no chart library).
 */
import { writeFileSync } from 'node:fs';

export interface DensityPoint {
  sessions: number;
  /** RSS in bytes after a forced GC. */
  worker: number;
  raw: number;
}

const W = 640;
const H = 400;
const PAD = { left: 64, right: 24, top: 40, bottom: 56 };
const MiB = 1024 * 1024;

/** A round step for about five grid lines up to `max`. */
function step(max: number): number {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  return ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
}

export function writeDensityChart(
  file: string,
  points: DensityPoint[],
  idle: { worker: number; raw: number },
  /** Legend of the baseline line. */
  rawLabel = 'raw Baileys sockets (plain script)',
): string {
  const all = [{ sessions: 0, ...idle }, ...points];
  const maxX = Math.max(...all.map((p) => p.sessions));
  const maxY = Math.max(...all.flatMap((p) => [p.worker, p.raw])) / MiB;
  const xStep = step(maxX);
  const yStep = step(maxY);
  const xTop = Math.ceil(maxX / xStep) * xStep;
  const yTop = Math.ceil(maxY / yStep) * yStep;
  const x = (v: number) => PAD.left + (v / xTop) * (W - PAD.left - PAD.right);
  const y = (mib: number) => H - PAD.bottom - (mib / yTop) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  for (let v = 0; v <= xTop; v += xStep)
    parts.push(
      `<line x1="${x(v)}" y1="${PAD.top}" x2="${x(v)}" y2="${H - PAD.bottom}" stroke="#e5e5e5"/>`,
      `<text x="${x(v)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${v}</text>`,
    );
  for (let v = 0; v <= yTop; v += yStep)
    parts.push(
      `<line x1="${PAD.left}" y1="${y(v)}" x2="${W - PAD.right}" y2="${y(v)}" stroke="#e5e5e5"/>`,
      `<text x="${PAD.left - 8}" y="${y(v) + 4}" text-anchor="end">${v}</text>`,
    );
  const series = [
    { key: 'worker' as const, label: 'one wagw worker', color: '#1f77b4' },
    { key: 'raw' as const, label: rawLabel, color: '#ff7f0e' },
  ];
  for (const [i, s] of series.entries()) {
    const coords = all.map((p) => `${x(p.sessions).toFixed(1)},${y(p[s.key] / MiB).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${coords.join(' ')}"/>`);
    for (const c of coords) {
      const [cx, cy] = c.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${s.color}"/>`);
    }
    const ly = PAD.top + 8 + i * 18;
    parts.push(
      `<rect x="${PAD.left + 12}" y="${ly - 9}" width="14" height="4" fill="${s.color}"/>`,
      `<text x="${PAD.left + 32}" y="${ly}">${s.label}</text>`,
    );
  }
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">Resident memory after GC vs open idle sessions</text>`,
    ...parts,
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#333"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#333"/>`,
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 16}" text-anchor="middle">open sessions</text>`,
    `<text x="18" y="${(PAD.top + H - PAD.bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(PAD.top + H - PAD.bottom) / 2})">RSS (MiB)</text>`,
    '</svg>',
  ].join('\n');
  writeFileSync(file, `${svg}\n`);
  return file;
}
