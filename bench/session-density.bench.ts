/**
 * Memory per idle open WhatsApp session: one worker process against a plain script of raw Baileys
 * sockets holding the same number of sessions, in the same run, against the same simulator.
 *
 * 1. max(SIZES) sessions are linked in the simulator without QR scans (`sim.provision`, see
 *    bench/lib/density-fleet.ts) and left `stopped`, their credentials in the database.
 * 2. A fresh worker (the bundle apps/worker/dist/main.js, rebuilt from the work tree first; production
 *    defaults; `--inspect` on loopback for the probe) is measured idle, then sessions are set
 *    `running` up to each size in turn; once all are open the reading is taken.
 * 3. The worker stops; a plain script (bench/lib/density-raw-sockets.ts) logs the same credentials in
 *    with raw Baileys sockets, measured at 0 and at each size the same way.
 *
 * A reading = full GC through the inspector, then VmRSS and V8 heap used (bench/lib/density-probe.ts).
 * Per session = (reading at N − reading at 0) ÷ N; ratio = worker ÷ raw. Also printed: the marginal
 * cost past the smallest size, which leaves out one-off costs of the first sockets. Goal: ratio ≤ 1.1
 * and 1,000 sessions open on one worker. Writes docs/benchmarks/density.svg.
 *
 * Run: npm run bench:density          (SIZES=100,500,1000 by default; e.g. SIZES=100 for one size)
 *      RAW_SHARED_ASYNC_STORAGE=1 npm run bench:density   (baseline without Baileys' per-socket
 *      AsyncLocalStorage cost, which grows with the number of sockets; see density-raw-sockets.ts)
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@wagw/testing';
import { startGateway, stopProcess } from '../apps/worker/test/harness.js';
import { writeDensityChart } from './lib/density-chart.js';
import { productionWorkerEnv, provisionSessions, setDesired, waitForOpen } from './lib/density-fleet.js';
import { connectProbe, inspectFlag, type MemoryReading, settledReading } from './lib/density-probe.js';
import { buildProcessBundles } from './lib/process-bundles.js';

const SIZES = (process.env.SIZES ?? '100,500,1000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const MAX = SIZES.at(-1) ?? 0;
if (!(MAX > 0)) throw new Error('SIZES must list positive session counts');
/** Wait after the last session opened before reading: post-login traffic and timers settle. */
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 10_000);
/**
 * When set, a directory: heap snapshots of the worker and the raw script at the largest size, each
 * taken after that size's reading. None is taken idle: a snapshot leaves the process' RSS tens of MiB
 * higher (the allocator keeps what the snapshot used), which would inflate every later reading.
 */
const SNAPSHOT_DIR = process.env.HEAP_SNAPSHOT_DIR;
/** RAW_SHARED_ASYNC_STORAGE=1: the raw script builds its sockets as the worker does (see its header). */
const SHARED_STORAGE_RAW = process.env.RAW_SHARED_ASYNC_STORAGE === '1';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1024 * 1024;
const log = (line: string) => console.log(line);

type Series = { idle: MemoryReading; at: Map<number, MemoryReading & { openMs: number }> };

async function main() {
  buildProcessBundles();
  const gw = await startGateway({ sim: { transcriptLimit: 500 } });
  const credsFile = join(tmpdir(), `wagw-density-${process.pid}.json`);
  let raw: ChildProcess | undefined;
  try {
    // 1. Link once; both sides then log in with these credentials.
    const sessions = await provisionSessions(gw, MAX, 'density');

    // 2. The worker.
    const port = await freePort();
    const worker = await gw.startWorker('density', {
      ...productionWorkerEnv(),
      MAX_SESSIONS_PER_WORKER: String(MAX),
      NODE_OPTIONS: inspectFlag(port),
    });
    const probe = await connectProbe(worker.pid as number, port);
    const workerSeries: Series = { idle: await settledReading(probe, SETTLE_MS), at: new Map() };
    log(`worker idle: ${fmt(workerSeries.idle)}`);
    let running = 0;
    for (const size of SIZES) {
      const started = performance.now();
      await setDesired(gw, sessions.slice(running, size), 'running');
      running = size;
      await gw.nudge();
      await waitForOpen(gw, size, 600_000);
      const openMs = performance.now() - started;
      const reading = await settledReading(probe, SETTLE_MS);
      workerSeries.at.set(size, { ...reading, openMs });
      log(`worker ${size} open (+${(openMs / 1000).toFixed(1)} s): ${fmt(reading)}`);
      if (SNAPSHOT_DIR && size === MAX)
        await probe.snapshot(join(SNAPSHOT_DIR, `worker-${size}.heapsnapshot`));
    }
    probe.close();
    await setDesired(gw, sessions, 'stopped');
    await stopProcess(worker, 'SIGTERM', 120_000);

    // 3. The raw baseline, same credentials.
    // Each socket's creds and the one pre-key Baileys checks for at login (its current one).
    const material = [];
    for (const s of sessions) {
      const creds = (await gw.db.repos.authState.getCreds(s.id))?.creds ?? '';
      const current = String((JSON.parse(creds) as { nextPreKeyId: number }).nextPreKeyId - 1);
      const preKey = (await gw.db.repos.authState.getKeys(s.id, 'pre-key', [current]))[current];
      material.push({ creds, preKey: { id: current, value: preKey } });
    }
    writeFileSync(credsFile, JSON.stringify(material));
    const rawPort = await freePort();
    raw = spawn(
      process.execPath,
      ['--import', 'tsx', inspectFlag(rawPort), 'bench/lib/density-raw-sockets.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          WA_WS_URL: gw.sim.url,
          WA_ROOT_PUBLIC_KEY: Buffer.from(gw.sim.rootPublicKey).toString('base64'),
          RAW_CREDS_FILE: credsFile,
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    await once(raw, 'message');
    const rawProbe = await connectProbe(raw.pid as number, rawPort);
    const rawSeries: Series = { idle: await settledReading(rawProbe, SETTLE_MS), at: new Map() };
    log(`raw idle: ${fmt(rawSeries.idle)}`);
    for (const size of SIZES) {
      raw.send({ open: size });
      const [answer] = (await once(raw, 'message')) as [{ opened?: number; ms?: number; error?: string }];
      if (answer.error) throw new Error(`raw sockets: ${answer.error}`);
      const reading = await settledReading(rawProbe, SETTLE_MS);
      rawSeries.at.set(size, { ...reading, openMs: answer.ms ?? 0 });
      log(`raw ${size} open (+${((answer.ms ?? 0) / 1000).toFixed(1)} s): ${fmt(reading)}`);
      if (SNAPSHOT_DIR && size === MAX)
        await rawProbe.snapshot(join(SNAPSHOT_DIR, `raw-${size}.heapsnapshot`));
    }
    rawProbe.close();
    raw.send({ end: true });
    await once(raw, 'exit');
    raw = undefined;

    report(workerSeries, rawSeries);
  } finally {
    if (raw && raw.exitCode === null) raw.kill('SIGKILL');
    rmSync(credsFile, { force: true });
    await gw.close();
  }
}

const fmt = (r: MemoryReading) =>
  `RSS ${(r.rss / MiB).toFixed(1)} MiB, heap ${(r.heapUsed / MiB).toFixed(1)} MiB`;
const perSession = (s: Series, n: number, key: keyof MemoryReading) =>
  ((s.at.get(n)?.[key] ?? Number.NaN) - s.idle[key]) / n;

function report(worker: Series, raw: Series) {
  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  log(
    `\nsession density: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, commit ${commit}`,
  );
  log(
    `idle base: worker RSS ${(worker.idle.rss / MiB).toFixed(1)} MiB (bundle, apps/worker/dist/main.js), raw RSS ${(raw.idle.rss / MiB).toFixed(1)} MiB (under tsx)`,
  );
  log(
    `raw baseline: ${SHARED_STORAGE_RAW ? 'sockets built in withSharedAsyncStorage, as the worker builds them (RAW_SHARED_ASYNC_STORAGE=1)' : "plain makeWASocket (one AsyncLocalStorage per socket, Baileys' own)"}`,
  );
  log(
    '| sessions | worker RSS | raw RSS | worker KiB/session (RSS) | raw KiB/session (RSS) | ratio (RSS) | worker KiB/session (heap) | raw KiB/session (heap) | ratio (heap) | worker open s | raw open s |',
  );
  log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  let worst = 0;
  for (const n of SIZES) {
    const w = worker.at.get(n);
    const r = raw.at.get(n);
    if (!w || !r) continue;
    const rssRatio = perSession(worker, n, 'rss') / perSession(raw, n, 'rss');
    const heapRatio = perSession(worker, n, 'heapUsed') / perSession(raw, n, 'heapUsed');
    worst = Math.max(worst, rssRatio);
    const kib = (s: Series, key: keyof MemoryReading) => (perSession(s, n, key) / 1024).toFixed(0);
    log(
      `| ${n} | ${(w.rss / MiB).toFixed(0)} MiB | ${(r.rss / MiB).toFixed(0)} MiB | ${kib(worker, 'rss')} | ${kib(raw, 'rss')} | ${rssRatio.toFixed(2)} | ${kib(worker, 'heapUsed')} | ${kib(raw, 'heapUsed')} | ${heapRatio.toFixed(2)} | ${(w.openMs / 1000).toFixed(1)} | ${(r.openMs / 1000).toFixed(1)} |`,
    );
  }
  // Marginal cost past the smallest size: the first sockets also pay one-off costs (code compiled on
  // first use, allocator arenas, BullMQ's scripts), which (N − 0) ÷ N spreads over few sessions.
  const base = SIZES[0] as number;
  if (SIZES.length > 1) {
    log(`\nmarginal, from ${base} sessions: (reading at N − reading at ${base}) ÷ (N − ${base})`);
    log(
      '| sessions | worker KiB/session (RSS) | raw KiB/session (RSS) | ratio (RSS) | worker KiB/session (heap) | raw KiB/session (heap) | ratio (heap) |',
    );
    log('| --- | --- | --- | --- | --- | --- | --- |');
    const marginal = (s: Series, n: number, key: keyof MemoryReading) =>
      ((s.at.get(n)?.[key] ?? Number.NaN) - (s.at.get(base)?.[key] ?? Number.NaN)) / (n - base);
    for (const n of SIZES.slice(1)) {
      const kib = (s: Series, key: keyof MemoryReading) => (marginal(s, n, key) / 1024).toFixed(0);
      const ratio = (key: keyof MemoryReading) =>
        (marginal(worker, n, key) / marginal(raw, n, key)).toFixed(2);
      log(
        `| ${base} → ${n} | ${kib(worker, 'rss')} | ${kib(raw, 'rss')} | ${ratio('rss')} | ${kib(worker, 'heapUsed')} | ${kib(raw, 'heapUsed')} | ${ratio('heapUsed')} |`,
      );
    }
  }
  const chart = writeDensityChart(
    join(ROOT, 'docs/benchmarks/density.svg'),
    SIZES.map((n) => ({ sessions: n, worker: worker.at.get(n)?.rss ?? 0, raw: raw.at.get(n)?.rss ?? 0 })),
    { worker: worker.idle.rss, raw: raw.idle.rss },
    SHARED_STORAGE_RAW
      ? 'raw Baileys sockets, shared AsyncLocalStorage'
      : 'raw Baileys sockets (plain script)',
  );
  log(`chart: ${chart}`);
  log(`worst RSS ratio: ${worst.toFixed(2)} (goal ≤ 1.10)`);
  if (worst > 1.1) process.exitCode = 1;
}

await main();
