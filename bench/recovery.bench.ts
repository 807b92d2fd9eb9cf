/**
 * How fast sessions come back: (a) after kill -9 of the worker holding them, and (b) after a
 * WhatsApp outage that drops every session of one worker at once. Each is compared with a baseline
 * measured in the same run: the cold start of the same sessions (set running while a worker is up,
 * nothing failed), so the ratio is what the failure costs on top of connecting at all.
 *
 * Workers run with the production defaults (LEASE_TTL 15 s, RECONCILE_INTERVAL 5 s, reconnect
 * backoff 3 s × 2ⁿ, RECONNECT_CONCURRENCY 10; bench/lib/density-fleet.ts), except
 * MAX_SESSIONS_PER_WORKER, set to hold the sessions of each part.
 *
 * (a) FAILOVER_SESSIONS (100): cold start on worker B (baseline); graceful move to worker A; a new
 *     worker B; kill -9 A; time until all are open on B. Goal: ≤ 10 s.
 * (b) OUTAGE_SESSIONS (1,000) on B: cold start from stopped (baseline); a 2 s simulator outage;
 *     time until all are open again, and the most connections the simulator saw connecting at once.
 *
 * Run: npm run bench:recovery (LEASE_TTL and RECONCILE_INTERVAL may be set to measure shorter
 * takeover timings; the kill -9 recovery is bounded below by LEASE_TTL: the lease must expire).
 */
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadWorkerConfig } from '@wagw/config';
import { startGateway, stopProcess } from '../apps/worker/test/harness.js';
import { benchTimings, productionWorkerEnv, provisionSessions } from './lib/density-fleet.js';
import { buildProcessBundles } from './lib/process-bundles.js';
import { allOpen, coldStart, stopAll } from './lib/recovery-steps.js';

const FAILOVER_SESSIONS = Number(process.env.FAILOVER_SESSIONS ?? 100);
const OUTAGE_SESSIONS = Number(process.env.OUTAGE_SESSIONS ?? 1000);
const OUTAGE_MS = 2000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => console.log(line);
const s = (ms: number) => (ms / 1000).toFixed(1);

async function main() {
  const total = Math.max(FAILOVER_SESSIONS, OUTAGE_SESSIONS);
  buildProcessBundles();
  const gw = await startGateway({ sim: { transcriptLimit: 500 } });
  const env = { ...productionWorkerEnv(), MAX_SESSIONS_PER_WORKER: String(total) };
  const defaults = loadWorkerConfig(benchTimings());
  try {
    const sessions = await provisionSessions(gw, total, 'recovery');

    // (a) kill -9 of the worker holding FAILOVER_SESSIONS.
    const group = sessions.slice(0, FAILOVER_SESSIONS);
    let b = await gw.startWorker('recovery-b', env);
    const coldMs = await coldStart(gw, group, 'recovery-b');
    log(`(a) cold start of ${group.length} on B: ${s(coldMs)} s`);
    const a = await gw.startWorker('recovery-a', env);
    await stopProcess(b, 'SIGTERM', 120_000);
    await allOpen(gw, group, performance.now(), { owner: 'recovery-a' });
    b = await gw.startWorker('recovery-b2', env);
    const killedAt = performance.now();
    await stopProcess(a, 'SIGKILL');
    const firstOpen = await gw.waitFor(
      'a session open on B',
      async () =>
        (await gw.db.repos.sessions.list({ status: 'open' })).some((x) => x.ownerWorkerId === 'recovery-b2'),
      120_000,
    );
    const firstMs = firstOpen ? performance.now() - killedAt : Number.NaN;
    const failoverMs = await allOpen(gw, group, killedAt, { owner: 'recovery-b2' });
    log(`(a) kill -9 → all ${group.length} open on B: ${s(failoverMs)} s (first after ${s(firstMs)} s)`);

    // (b) a WhatsApp outage of OUTAGE_SESSIONS on one worker.
    const herd = sessions.slice(0, OUTAGE_SESSIONS);
    await stopAll(gw, group);
    const initialMs = await coldStart(gw, herd, 'recovery-b2');
    log(`(b) initial connect of ${herd.length} on one worker: ${s(initialMs)} s`);
    gw.sim.counters.resetMax();
    const dropped = gw.sim.faults.setOutage(true);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const outageEnded = performance.now();
    gw.sim.faults.setOutage(false);
    const recoverMs = await allOpen(gw, herd, outageEnded, { owner: 'recovery-b2' });
    const counts = await gw.db.repos.sessions.countByStatus();
    log(`(b) outage dropped ${dropped}; all open again ${s(recoverMs)} s after it ended`);

    const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
    log(
      `\nrecovery: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, commit ${commit}`,
    );
    log(
      `settings (production defaults unless set for the run): LEASE_TTL ${defaults.leaseTtlMs} ms, RECONCILE_INTERVAL ${defaults.reconcileIntervalMs} ms, RECONNECT_BASE_DELAY ${defaults.reconnect.baseMs} ms, RECONNECT_CONCURRENCY ${defaults.reconnect.concurrency}`,
    );
    log('| scenario | sessions | baseline (cold start) | recovery | ratio |');
    log('| --- | --- | --- | --- | --- |');
    log(
      `| kill -9 of the owning worker | ${group.length} | ${s(coldMs)} s | ${s(failoverMs)} s (first open ${s(firstMs)} s) | ${(failoverMs / coldMs).toFixed(2)} |`,
    );
    log(
      `| ${OUTAGE_MS / 1000} s WhatsApp outage, one worker | ${herd.length} | ${s(initialMs)} s | ${s(recoverMs)} s | ${(recoverMs / initialMs).toFixed(2)} |`,
    );
    log(
      `outage: max connecting at once ${gw.sim.counters.maxConnecting} (limit ${defaults.reconnect.concurrency}), max logins of one companion at once ${gw.sim.counters.maxConcurrentPerCompanion}, failed ${counts.failed}`,
    );
    log(`kill -9 goal ≤ 10 s: ${failoverMs <= 10_000 ? 'met' : 'missed'}`);
  } finally {
    gw.sim.faults.setOutage(false);
    await gw.close();
  }
}

await main();
