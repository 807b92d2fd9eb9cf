import type { ChildProcess } from 'node:child_process';
import type { Session } from '@wagw/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { workerHeartbeat } from './messaging-fixtures.js';

const SESSIONS = 80;
// A worker's heap is ~50 MiB idle and grows ~0.3-0.5 MiB per session during logins (measured
// here), less once they settle. With a 128 MB old space the heap limit is 176 MiB, whose 40 %
// (70 MiB) is reached well before 80 sessions: at 50 % (88 MiB), a leaner worker (send-queue
// consumers on demand) sometimes took all 80 before crossing it.
const SMALL_WORKER = {
  NODE_OPTIONS: '--max-old-space-size=128',
  MEMORY_REFUSE_RATIO: '0.4',
  MEMORY_SHED_RATIO: '0.5',
  HEARTBEAT_INTERVAL: '500',
};

interface MemoryStats {
  state: string;
  heapUsed: number;
  heapLimit: number;
}

let gw: Gateway;
beforeAll(async () => {
  // One small worker alone first, whatever E2E_WORKERS says: its subject is where that one worker
  // stops claiming, which peers taking a share of the 80 sessions would never let it reach. The
  // second worker ('big') is started by the test itself.
  gw = await startGateway({ peerWorkers: 0 });
});
afterAll(() => gw.close());

describe('a worker under a small heap limit', () => {
  it(`refuses sessions past its memory line instead of crashing; another worker takes the rest`, async () => {
    const small: ChildProcess = await gw.startWorker('small', SMALL_WORKER);
    const states = new Set<string>();
    let peak = 0;
    let limit = 0;
    let owned = 0;
    const watch = setInterval(async () => {
      const beat = await workerHeartbeat(gw, 'small').catch(() => null);
      const memory = beat?.memory as MemoryStats | undefined;
      if (!memory) return;
      states.add(memory.state);
      peak = Math.max(peak, memory.heapUsed);
      limit = memory.heapLimit;
      owned = Math.max(owned, Number(beat?.sessions ?? 0));
    }, 250);
    try {
      // One after another, as outage.e2e does: 80 at once (812 pre-keys each) queued past the test
      // pool's 5 s connect timeout on PostgreSQL (E2E_DATABASE=postgres), every time.
      const sessions: Session[] = [];
      for (let i = 0; i < SESSIONS; i++) sessions.push(await gw.createSession(`heap-${i}`, { linked: true }));
      // Alone, the small worker stops claiming at its line: the others stay unclaimed (waiting for
      // capacity) rather than pushing it toward the heap limit, where Node would abort it.
      await gw.waitFor(
        'the small worker to refuse',
        async () => (states.has('ok') && states.size > 1) || undefined,
        120_000,
      );
      await new Promise((r) => setTimeout(r, 5000));
      const rows = await Promise.all(sessions.map((s) => gw.db.repos.sessions.getById(s.id)));
      const unowned = rows.filter((r) => r?.ownerWorkerId === null).length;
      expect(unowned, 'sessions left for another worker').toBeGreaterThan(0);
      expect(small.exitCode).toBeNull();

      await gw.startWorker('big');
      await Promise.all(sessions.map((s) => gw.waitForStatus(s.id, 'open', 120_000)));
      const byOwner = new Map<string, number>();
      for (const s of sessions) {
        const owner = (await gw.db.repos.sessions.getById(s.id))?.ownerWorkerId ?? 'none';
        byOwner.set(owner, (byOwner.get(owner) ?? 0) + 1);
      }
      expect(small.exitCode, 'the small worker never crashed').toBeNull();
      expect(byOwner.get('small') ?? 0).toBeLessThan(SESSIONS);
      expect(peak).toBeLessThan(limit * 0.9);
      console.info(
        `heap limit ${Math.round(limit / 2 ** 20)} MiB, peak ${Math.round(peak / 2 ** 20)} MiB, states ${[...states].join('/')}, ` +
          `owners ${JSON.stringify(Object.fromEntries(byOwner))}, unowned while alone ${unowned}, small held at most ${owned}`,
      );
    } finally {
      clearInterval(watch);
    }
  }, 300_000);
});
