import type { Session } from '@wagw/db';
import { type HeartbeatPayload, redisKeys } from '@wagw/queue';
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

/**
 * The paused worker's first heartbeat collected after `since` that satisfies `wanted`. Its key
 * expired during the pause and a beat's `at` is taken when the beat is collected, so no beat from
 * before the pause can pass.
 */
async function beatAfter(
  worker: string,
  since: Date,
  wanted: (beat: HeartbeatPayload) => boolean = () => true,
) {
  const key = redisKeys(gw.prefix).heartbeat('worker', worker);
  return gw.waitFor(
    `a heartbeat of the resumed worker ${worker} after ${since.toISOString()}`,
    async () => {
      const raw = await gw.redis.get(key);
      const beat = raw ? (JSON.parse(raw) as HeartbeatPayload) : undefined;
      return beat && Date.parse(beat.at) > since.getTime() && wanted(beat) ? beat : undefined;
    },
    15_000,
  );
}

describe('a worker paused past its lease (SIGSTOP)', () => {
  it('loses its sessions to another worker and, when resumed, stops its stale sockets without a conflict', async () => {
    await gw.startWorker('paused');
    // 'paused' and, when the suite runs with several workers (E2E_WORKERS), its peers: all of them
    // are paused, so that every session has to move to the one healthy worker.
    const pausedIds = gw.workerIds();
    const sessions = await Promise.all([0, 1, 2].map((i) => gw.createSession(`paused-${i}`)));
    await Promise.all(sessions.map((s) => gw.pair(s.id)));
    await gw.startWorker('healthy');

    for (const id of pausedIds) gw.workers.get(id)!.kill('SIGSTOP');
    await gw.waitFor(
      'sessions open on the healthy worker',
      () => allOpenOn(sessions, 'healthy'),
      LEASE_TTL_MS + 15_000,
    );
    expect(gw.sim.counters.idleDrops).toBeGreaterThanOrEqual(sessions.length);

    const resumedAt = new Date();
    for (const id of pausedIds) gw.workers.get(id)!.kill('SIGCONT');
    // A resumed worker is done with the sessions it had when it reports none: a session leaves
    // its count only once its runner ended (stale socket closed, messaging stopped, credential
    // writes flushed). A later beat must still report none: it took nothing back.
    for (const id of pausedIds) {
      const drained = await beatAfter(id, resumedAt, (beat) => beat.sessions === 0);
      const later = await beatAfter(id, new Date(drained.at));
      expect(later.sessions).toBe(0);
    }

    // Fencing held: the resumed worker wrote nothing for these sessions and took nothing back.
    for (const s of sessions) {
      const events = await gw.db.repos.sessionEvents.listBySession(s.id);
      const stale = events.filter(
        (e) => e.workerId !== null && pausedIds.includes(e.workerId) && e.createdAt >= resumedAt,
      );
      expect(stale).toEqual([]);
      const me = (await gw.db.repos.sessions.getById(s.id))!.meJid!;
      expect(gw.sim.counters.concurrency(me)).toEqual({ current: 1, max: 1 });
    }
    expect(await allOpenOn(sessions, 'healthy')).toBe(true);
    // The simulator never had to replace a connection: no 440 conflict was ever sent.
    expect(gw.sim.counters.replacedConflicts).toBe(0);
  }, 90_000);
});
