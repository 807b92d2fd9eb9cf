/**
 * What an AsyncLocalStorage per WhatsApp socket costs every other piece of work in a worker.
 *
 * Baileys creates one AsyncLocalStorage per socket and runs a key-store transaction in it; on
 * Node 20 each such storage stays enabled and is called on every promise the process creates. The
 * workload below (a chain of awaited promises, like any I/O-heavy handler) runs three times in one
 * process: with no storage (the baseline), with 200 MultiplexedStorage instances (what the worker's
 * socket factory gives Baileys), and with 200 native AsyncLocalStorage instances (Baileys unaided).
 *
 * Run: npm run bench:async-storage
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { cpus } from 'node:os';
import { MultiplexedStorage } from '../apps/worker/src/sessions/shared-async-storage.js';

const SOCKETS = 200;
const PROMISES = 200_000;
const ROUNDS = 5;

async function workload(): Promise<number> {
  const started = performance.now();
  let sum = 0;
  for (let i = 0; i < PROMISES; i++) sum += await Promise.resolve(i);
  if (sum < 0) throw new Error('unreachable');
  return performance.now() - started;
}

/** Median of ROUNDS runs, after one warm-up run. */
async function measure(): Promise<number> {
  await workload();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) times.push(await workload());
  return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] ?? Number.NaN;
}

/** What Baileys does per socket: create a storage and run one transaction in it. */
function createStorages(make: () => AsyncLocalStorage<object>): AsyncLocalStorage<object>[] {
  return Array.from({ length: SOCKETS }, () => {
    const storage = make();
    storage.run({ cache: {} }, () => undefined);
    return storage;
  });
}

const baseline = await measure();
const multiplexed = createStorages(() => new MultiplexedStorage<object>());
const shared = await measure();
const native = createStorages(() => new AsyncLocalStorage<object>());
const perSocket = await measure();
for (const storage of [...multiplexed, ...native]) storage.disable();

const row = (name: string, ms: number) => `| ${name} | ${ms.toFixed(1)} | ${(ms / baseline).toFixed(2)} |`;
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
console.log(`${PROMISES.toLocaleString('en')} awaited promises, median of ${ROUNDS}, ${SOCKETS} sockets\n`);
console.log('| storage | ms | ratio to baseline |\n| --- | --- | --- |');
console.log(row('none (baseline)', baseline));
console.log(row(`${SOCKETS} × MultiplexedStorage (the worker)`, shared));
console.log(row(`${SOCKETS} × AsyncLocalStorage (Baileys unaided)`, perSocket));
