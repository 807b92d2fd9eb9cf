/** What the gateway benches print with their figures, and how they end a profiled worker. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Gateway } from '../../apps/worker/test/harness.js';
import { stopProcess } from '../../apps/worker/test/harness.js';

export function machineLine(): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout (a copied tree): the figures stand without it.
  }
  return `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, commit ${commit}, ${new Date().toISOString()}`;
}

/**
 * With CPU_PROF_DIR set, the bench's worker is CPU-profiled (bench/lib/gateway-cpu-profile.ts); the
 * profile is written when the process exits by itself, so workers are stopped with SIGTERM
 * (graceful) before the harness' close would SIGKILL them.
 */
export function profilingEnv(): Record<string, string> {
  const dir = process.env.CPU_PROF_DIR;
  if (!dir) return {};
  const preload = fileURLToPath(new URL('./gateway-cpu-profile.ts', import.meta.url));
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx --import ${preload}`.trim() };
}

export async function stopWorkersGracefully(gw: Gateway): Promise<void> {
  if (!process.env.CPU_PROF_DIR) return;
  await Promise.all(
    [...gw.workers.values()]
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map((child) => stopProcess(child, 'SIGTERM', 20_000)),
  );
}

export const perSecond = (count: number, ms: number) => (count * 1000) / ms;

/**
 * CPU time (user + system) process `pid` has used so far, in ms, from /proc. Moves far less than
 * wall time when other work shares the machine, so before/after comparisons of one process's cost
 * per message use it (Linux only; clock ticks of 10 ms, the kernel's USER_HZ of 100).
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A positive whole number from the environment (the bench's size knobs), or `fallback` when unset. */
export function benchNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}
