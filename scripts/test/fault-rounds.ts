/**
 * Runs every fault-scenario test file alone, one after another, ROUNDS times in a row (default 3),
 * and prints one line per run and a summary: what "passes three runs in a row" means for issue
 * #16's fault tests. Each run's output goes to FAULT_LOG_DIR (default a temp dir) so the figures
 * the tests print (recovery times, counts) can be read afterwards. `npm run test:faults`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const FAULT_FILES = [
  'apps/worker/test/topology-sqlite.e2e.test.ts',
  'apps/worker/test/topology-postgres.e2e.test.ts',
  'apps/worker/test/scheduler-kill.e2e.test.ts',
  'apps/worker/test/redis-faults.e2e.test.ts',
  'apps/worker/test/session-status-outbox.e2e.test.ts',
  'apps/worker/test/sentinel-failover.e2e.test.ts',
  'packages/queue/test/sentinel-failover.test.ts',
  'apps/worker/test/redis-cluster.e2e.test.ts',
  'packages/queue/test/redis-cluster-failover.test.ts',
  'apps/worker/test/db-outage-pg.e2e.test.ts',
  'apps/worker/test/db-outage-sqlite.e2e.test.ts',
  'apps/worker/test/outage.e2e.test.ts',
  'apps/worker/test/memory-pressure.e2e.test.ts',
  'apps/worker/test/inbound-flood.e2e.test.ts',
  'apps/worker/test/inbound-failover.e2e.test.ts',
];

const rounds = Number(process.env.ROUNDS ?? 3);
const logDir = process.env.FAULT_LOG_DIR ?? mkdtempSync(join(tmpdir(), 'wagw-faults-'));
mkdirSync(logDir, { recursive: true });
const failures: string[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const file of FAULT_FILES) {
    const started = Date.now();
    // One file per vitest run: nothing else competes for the two cores while it measures.
    const run = spawnSync('npx', ['vitest', 'run', file], { encoding: 'utf8', timeout: 15 * 60_000 });
    const log = join(logDir, `${basename(file, '.test.ts')}.${round}.log`);
    writeFileSync(log, `${run.stdout}${run.stderr}`);
    const ok = run.status === 0;
    if (!ok) failures.push(`${file} (round ${round}, ${log})`);
    console.info(
      `round ${round} ${ok ? 'pass' : 'FAIL'} ${Math.round((Date.now() - started) / 1000)} s ${file}`,
    );
  }
}
console.info(`logs: ${logDir}`);
if (failures.length > 0) {
  console.error(`failed:\n${failures.join('\n')}`);
  process.exit(1);
}
console.info(`${FAULT_FILES.length} fault files passed ${rounds} runs in a row`);
