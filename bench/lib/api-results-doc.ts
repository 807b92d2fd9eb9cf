/**
 * Writes a benchmark's latest results into docs/benchmarks.md between the markers
 * `<!-- <name>:results -->` and `<!-- /<name>:results -->`, so each run records machine, commit,
 * command and raw figures without touching the rest of the page (other sections, the narrative).
 */
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './api-process.js';

const DOC = join(ROOT, 'docs', 'benchmarks.md');

/** `2 × AMD EPYC 7B13, Node v20.20.2, 2026-12-04, commit abc1234 (+ uncommitted changes)` */
export function runContext(): string {
  const cpuList = cpus();
  const model = cpuList[0]?.model.trim() ?? 'unknown CPU';
  const git = (cmd: string) => execSync(cmd, { cwd: ROOT, encoding: 'utf8' }).trim();
  const commit = git('git rev-parse --short HEAD');
  const dirty = git('git status --porcelain --untracked-files=no') !== '';
  const date = new Date().toISOString().slice(0, 10);
  return `${cpuList.length} × ${model}, Node ${process.version}, ${date}, commit ${commit}${dirty ? ' (+ uncommitted changes)' : ''}`;
}

/** Replaces the marked block; returns false (and leaves the file alone) when the markers are missing. */
export function writeResults(name: string, markdown: string): boolean {
  const start = `<!-- ${name}:results -->`;
  const end = `<!-- /${name}:results -->`;
  const text = readFileSync(DOC, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return false;
  writeFileSync(DOC, `${text.slice(0, from + start.length)}\n${markdown.trim()}\n${text.slice(to)}`);
  return true;
}
