/**
 * VITEST_CPU_REPORT=<file>: appends one JSON line per test file with the CPU it cost, so the
 * suite's time can be cut where the work is. On a 2-core machine running several files at a time the
 * suite is CPU-bound, and wall-clock per file says more about its neighbours than about itself.
 * `self`: this fork's CPU during the file (the test code, in-process simulators and servers);
 * `children`: CPU of the processes it started and reaped meanwhile (API, workers, scheduler, nginx,
 * redis-server), from /proc's cutime and cstime. Off unless the variable is set.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';

const out = process.env.VITEST_CPU_REPORT;
const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuMs() {
  // Fields after the parenthesised command: state is [0], utime [11], stime [12], cutime [13], cstime [14].
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return { self: (f[11]! + f[12]!) * TICK_MS, children: (f[13]! + f[14]!) * TICK_MS };
}

if (out) {
  let start = { self: 0, children: 0, at: 0 };
  let file = '';
  // Vitest 4 passes fixtures first (it requires a destructuring pattern there) and the suite second.
  // biome-ignore lint/correctness/noEmptyPattern: no fixture is wanted, only the suite
  beforeAll(({}, suite) => {
    file = (suite as { filepath?: string }).filepath ?? suite.name;
    start = { ...cpuMs(), at: Date.now() };
  });
  afterAll(() => {
    const end = cpuMs();
    const line = {
      file: file.replace(`${process.cwd()}/`, ''),
      selfMs: end.self - start.self,
      childrenMs: end.children - start.children,
      wallMs: Date.now() - start.at,
    };
    appendFileSync(out, `${JSON.stringify(line)}\n`);
  });
}
