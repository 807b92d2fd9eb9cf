/**
 * Bench-only cluster primary: forks `CLUSTER_SIZE` copies of `CLUSTER_SCRIPT` (the API's main.ts or
 * the bare Fastify baseline) that listen on one port, as `node cluster` or processes behind nginx
 * would run them in production. Reports `ready` over IPC once every copy listens, forwards SIGTERM to
 * each copy (their own graceful shutdown runs) and exits when all are gone.
 *
 * The primary accepts connections and hands them out round-robin (Node's default on Linux): with
 * keep-alive connections that is a cost per connection, not per request.
 */
import cluster from 'node:cluster';

const script = process.env.CLUSTER_SCRIPT;
const size = Number(process.env.CLUSTER_SIZE ?? 2);
if (!script || !(size >= 1)) throw new Error('CLUSTER_SCRIPT and CLUSTER_SIZE >= 1 are required');

// The primary runs with `--import tsx` (and any --cpu-prof flags). Copies of a TypeScript script get
// the same flags; copies of a bundle run as production runs it, keeping only the profiling flags.
const execArgv = script.endsWith('.js')
  ? ['--enable-source-maps', ...process.execArgv.filter((flag) => flag.startsWith('--cpu-prof'))]
  : process.execArgv;
cluster.setupPrimary({ exec: script, execArgv });
let listening = 0;
let stopping = false;
for (let i = 0; i < size; i++) {
  const worker = cluster.fork({ INSTANCE_ID: `bench-${process.pid}-${i}` });
  worker.once('listening', () => {
    listening += 1;
    if (listening === size) process.send?.('ready');
  });
}
cluster.on('exit', (worker, code) => {
  // A copy dying before the bench stops us is an error the bench must see (it exits non-zero).
  if (!stopping) {
    console.error(`cluster: ${script} pid ${worker.process.pid} exited with ${code}`);
    process.exit(1);
  }
  if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
});
process.on('SIGTERM', () => {
  stopping = true;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
});
