import type { Session } from '@wagw/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

// The server drops a client that went silent (like WhatsApp does) before the lease expires, so a
// paused worker's connection is gone before another worker logs the same device in.
const KEEPALIVE_MS = 1000;
const SERVER_IDLE_MS = 2500;
const LEASE_TTL_MS = 5000;

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({
    sim: { idleTimeoutMs: SERVER_IDLE_MS },
    workerEnv: { WA_KEEPALIVE_INTERVAL: String(KEEPALIVE_MS), LEASE_TTL: String(LEASE_TTL_MS) },
  });
});
afterAll(() => gw.close());

async function allOpenOn(sessions: Session[], worker: string) {
  for (const s of sessions) {
    if ((await gw.db.repos.sessions.getById(s.id))?.status !== 'open') return false;
    if ((await gw.ownerOf(s.id)) !== worker) return false;
  }
  return true;
}

describe('a worker paused past its lease (SIGSTOP)', () => {
  it('loses its sessions to another worker and, when resumed, stops its stale sockets without a conflict', async () => {
    const paused = await gw.startWorker('paused');
    const sessions = await Promise.all([0, 1, 2].map((i) => gw.createSession(`paused-${i}`)));
    await Promise.all(sessions.map((s) => gw.pair(s.id)));
    await gw.startWorker('healthy');

    paused.kill('SIGSTOP');
    await gw.waitFor(
      'sessions open on the healthy worker',
      () => allOpenOn(sessions, 'healthy'),
      LEASE_TTL_MS + 15_000,
    );
    expect(gw.sim.counters.idleDrops).toBeGreaterThanOrEqual(sessions.length);

    const resumedAt = new Date();
    paused.kill('SIGCONT');
    // Give the resumed worker time to run every timer and socket event it had pending.
    await new Promise((r) => setTimeout(r, 4000));

    // Fencing held: the resumed worker wrote nothing for these sessions and took nothing back.
    for (const s of sessions) {
      const events = await gw.db.repos.sessionEvents.listBySession(s.id);
      const stale = events.filter((e) => e.workerId === 'paused' && e.createdAt >= resumedAt);
      expect(stale).toEqual([]);
      const me = (await gw.db.repos.sessions.getById(s.id))!.meJid!;
      expect(gw.sim.counters.concurrency(me)).toEqual({ current: 1, max: 1 });
    }
    expect(await allOpenOn(sessions, 'healthy')).toBe(true);
    // The simulator never had to replace a connection: no 440 conflict was ever sent.
    expect(gw.sim.counters.replacedConflicts).toBe(0);
    const beat = JSON.parse((await gw.redis.get(`${gw.prefix}:heartbeat:worker:paused`)) ?? '{}');
    expect(beat.sessions).toBe(0);
  }, 90_000);
});
