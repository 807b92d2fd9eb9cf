/**
 * Outbound delivery rate: messages/s from one session through a worker process (pacing off) to the
 * WhatsApp simulator, against a raw loop of Baileys `sendMessage` on one socket to the same
 * simulator, measured in the same run. Goal: worker ÷ raw ≥ 0.80. Then 100 sessions of one worker
 * sending at once: total rate and per-session fairness, compared with the single-session rate.
 *
 * The worker is spawned as `npm start` runs it (apps/worker/test/harness.ts) with real Redis and
 * SQLite. Messages are written as the API's bulk route writes them (rows in one transaction, then
 * addBulk of the `send` jobs, bench/lib/gateway-delivery.ts) without the API process; the clock
 * starts at the first addBulk. The raw loop runs in a Node process of its own, as the worker does
 * (bench/lib/sim-raw-sender.ts), and awaits each send the way the worker does: `sendMessage`, then
 * the server's ack of that message id. Both are timed until the simulated peer has decrypted all N.
 * Pacing off: SEND_JITTER_MS=0 and the session's `settings.pacing` at 60,000/min with no delays
 * (BullMQ's limiter then allows one job per ms, its finest grain).
 *
 * Then one untimed round of REDIS_COUNTED messages whose Redis commands from the worker are counted
 * (bench/lib/redis-command-count.ts).
 *
 * Run: npm run bench:delivery   (MESSAGES=2000 ROUNDS=2 SESSIONS=100 PER_SESSION=20 REDIS_COUNTED=300;
 * SESSIONS=0 skips the fleet; CPU_PROF_DIR=<dir> profiles the worker with --cpu-prof)
 */
import type { Session, SessionSettings } from '@wagw/db';
import { startGateway } from '../apps/worker/test/harness.js';
import { createBulkOutbox, startRawSender, waitForDecrypted } from './lib/gateway-delivery.js';
import {
  benchNumber,
  machineLine,
  perSecond,
  processCpuMs,
  profilingEnv,
  stopWorkersGracefully,
} from './lib/gateway-report.js';
import { buildProcessBundles } from './lib/process-bundles.js';
import { countRedisCommands, perItem } from './lib/redis-command-count.js';

const MESSAGES = benchNumber('MESSAGES', 2000);
const ROUNDS = benchNumber('ROUNDS', 2);
const SESSIONS = benchNumber('SESSIONS', 100);
const PER_SESSION = benchNumber('PER_SESSION', 20);
// Messages of the untimed round whose Redis commands are counted (0 skips it).
const REDIS_COUNTED = benchNumber('REDIS_COUNTED', 300);
const WARM_UP = 50;
const GOAL = 0.8;
const NO_PACING: SessionSettings = { pacing: { perMinute: 60_000, minDelayMs: 0, maxDelayMs: 0 } };
// Fails the run instead of hanging it (the whole bench must stay under 4 minutes).
const RUN_TIMEOUT_MS = 90_000;

async function main() {
  buildProcessBundles();
  const gw = await startGateway({
    sim: { transcriptLimit: 1000 },
    workerEnv: {
      SEND_JITTER_MS: '0',
      SEND_RATE_PER_MINUTE: '6000',
      // A burst can hold the worker's event loop for over a second on 2 cores; the 3 s test lease is short.
      LEASE_TTL: '15000',
      // The single session and the fleet on one worker (default cap: 50).
      MAX_SESSIONS_PER_WORKER: String(SESSIONS + 10),
      ...profilingEnv(),
    },
  });
  const outbox = createBulkOutbox(gw);
  let raw: Awaited<ReturnType<typeof startRawSender>> | undefined;
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  try {
    const worker = await gw.startWorker('bench-delivery');
    const workerCpuMs = () => (worker.pid === undefined ? Number.NaN : processCpuMs(worker.pid));
    const session = await gw.createSession('delivery', { settings: NO_PACING });
    await gw.pair(session.id, 60_000);
    raw = await startRawSender(gw.sim);
    const toWorker = gw.sim.messaging.addContact({ phone: '15550003001', name: 'Worker peer' });
    const toRaw = gw.sim.messaging.addContact({ phone: '15550003002', name: 'Raw peer' });

    /** Worker: stage N rows, start the clock, enqueue, wait until the peer decrypted all N. */
    /** Wall ms, and the worker process's CPU ms over the same span (steadier on a shared machine). */
    const viaWorker = async (tag: string, count: number) => {
      const texts = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
      const staged = await outbox.stage(session.id, toWorker.pn, texts);
      const done = waitForDecrypted(
        gw.sim,
        (m) => m.text?.startsWith(`${tag}-`) === true,
        count,
        RUN_TIMEOUT_MS,
      );
      const cpuBefore = workerCpuMs();
      const started = performance.now();
      await staged.enqueue();
      await done;
      return { ms: performance.now() - started, cpuMs: workerCpuMs() - cpuBefore };
    };
    const viaRaw = async (tag: string, count: number) => {
      const done = waitForDecrypted(
        gw.sim,
        (m) => m.text?.startsWith(`${tag}-`) === true,
        count,
        RUN_TIMEOUT_MS,
      );
      const started = performance.now();
      const [loopMs] = await Promise.all([raw!.send(toRaw.pn, count, tag), done]);
      return { ms: performance.now() - started, loopMs };
    };

    // Warm-up (not reported): Signal sessions with each peer, code compiled, pools filled.
    await viaWorker('warm-w', WARM_UP);
    await viaRaw('warm-r', WARM_UP);

    say(`delivery: ${machineLine()}`);
    say(`single session, ${MESSAGES} texts, pacing off, each send awaited to its server ack`);
    say('| round | worker msgs/s | raw Baileys msgs/s | ratio | worker CPU ms/msg |');
    say('| --- | --- | --- | --- | --- |');
    const ratios: number[] = [];
    let workerRates: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const workerRun = await viaWorker(`w${round}`, MESSAGES);
      const rawRun = await viaRaw(`r${round}`, MESSAGES);
      const w = perSecond(MESSAGES, workerRun.ms);
      const r = perSecond(MESSAGES, rawRun.ms);
      ratios.push(w / r);
      workerRates.push(w);
      say(
        `| ${round} | ${w.toFixed(0)} (${(workerRun.ms / 1000).toFixed(2)} s) | ${r.toFixed(0)} (${(rawRun.ms / 1000).toFixed(2)} s) | ${(w / r).toFixed(2)} | ${(workerRun.cpuMs / MESSAGES).toFixed(2)} |`,
      );
    }
    const duplicates = gw.sim.messaging.duplicates();
    if (duplicates.length > 0) throw new Error(`${duplicates.length} messages arrived twice`);
    const ratio = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)] ?? 0;
    say(`ratio (median of ${ROUNDS}): ${ratio.toFixed(2)} (goal ≥ ${GOAL})`);
    if (REDIS_COUNTED > 0 && worker.pid !== undefined) {
      const count = await countRedisCommands(worker.pid, async () => {
        await viaWorker('redis', REDIS_COUNTED);
      });
      say(
        `Redis commands per message from the worker (${REDIS_COUNTED} messages, untimed): ${perItem(count, REDIS_COUNTED)}`,
      );
    }
    if (ratio < GOAL) process.exitCode = 1;

    if (SESSIONS > 0) {
      workerRates = workerRates.sort((a, b) => a - b);
      const single = workerRates[Math.floor(workerRates.length / 2)] ?? 0;
      await fleet(gw, outbox, single, say);
    }
  } finally {
    await raw?.end();
    await outbox.close();
    await stopWorkersGracefully(gw);
    await gw.close();
  }
}

/** SESSIONS sessions of the same worker, PER_SESSION texts each, all enqueued at once. */
async function fleet(
  gw: Awaited<ReturnType<typeof startGateway>>,
  outbox: ReturnType<typeof createBulkOutbox>,
  singleRate: number,
  say: (line: string) => void,
) {
  const pairedAt = performance.now();
  const sessions: Session[] = [];
  for (let i = 0; i < SESSIONS; i++)
    sessions.push(await gw.createSession(`fleet-${i}`, { seedPreKeys: true, settings: NO_PACING }));
  // In waves, as the session-density and outage tests pair: 100 QR scans at once only measure pairing.
  for (let i = 0; i < sessions.length; i += 25)
    await Promise.all(sessions.slice(i, i + 25).map((s) => gw.pair(s.id, 90_000)));
  console.info(`${SESSIONS} sessions paired in ${((performance.now() - pairedAt) / 1000).toFixed(1)} s`);
  const peer = gw.sim.messaging.addContact({ phone: '15550003003', name: 'Fleet peer' });

  const round = async (tag: string, count: number) => {
    const staged = await Promise.all(
      sessions.map((s, i) =>
        outbox.stage(
          s.id,
          peer.pn,
          Array.from({ length: count }, (_, j) => `${tag}-${i}-${j}`),
        ),
      ),
    );
    const finished = sessions.map((_, i) =>
      waitForDecrypted(gw.sim, (m) => m.text?.startsWith(`${tag}-${i}-`) === true, count, RUN_TIMEOUT_MS),
    );
    const startedAt = Date.now();
    await Promise.all(staged.map((s) => s.enqueue()));
    const lasts = await Promise.all(finished);
    return lasts.map((m) => m.at - startedAt);
  };
  await round('fleet-warm', 1);
  const completion = await round('fleet', PER_SESSION);
  const total = SESSIONS * PER_SESSION;
  const wall = Math.max(...completion);
  const rate = perSecond(total, wall);
  say('');
  say(`${SESSIONS} sessions × ${PER_SESSION} texts on one worker, enqueued at once`);
  say('| total msgs/s | ÷ single-session rate | first session done | median | last session done |');
  say('| --- | --- | --- | --- | --- |');
  const sorted = [...completion].sort((a, b) => a - b);
  const s = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(2)} s`;
  say(
    `| ${rate.toFixed(0)} (${total} in ${s(wall)}) | ${(rate / singleRate).toFixed(2)} | ${s(sorted[0])} | ${s(sorted[Math.floor(sorted.length / 2)])} | ${s(sorted.at(-1))} |`,
  );
  const duplicates = gw.sim.messaging.duplicates();
  if (duplicates.length > 0) throw new Error(`${duplicates.length} messages arrived twice`);
}

await main();
