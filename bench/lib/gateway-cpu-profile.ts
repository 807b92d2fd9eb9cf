/**
 * Preloaded into a bench's worker (`NODE_OPTIONS=--import tsx --import <this file>`, see `profilingEnv`) because
 * Node refuses `--cpu-prof` in NODE_OPTIONS and the harness spawns workers with fixed arguments.
 * Samples from the start like `--cpu-prof` and writes CPU_PROF_DIR/worker-<pid>.cpuprofile when the
 * process exits (the in-thread inspector session answers synchronously, so 'exit' is late enough).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  // 1 ms: --cpu-prof's default interval.
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `worker-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
