import type { Database, Session } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { createLeaseStore, type RedisConnection } from '@wagw/queue';
import { beforeAll, describe, expect, it } from 'vitest';
import { useSqliteAndRedis } from '../../test/sqlite-and-redis.js';
import { createSessionManager } from './session-manager.js';
import type { SessionRunner } from './session-runner.js';

// Real SQLite and Redis; only the runner (the WhatsApp socket) is left out: the subject is which
// sessions the manager claims, not what a runner does with them.
const logger = createLogger({ name: 'test', level: 'silent' });
const stores = useSqliteAndRedis('manager');
const { prefix } = stores;
let db: Database;
let redis: RedisConnection;
beforeAll(() => {
  ({ db, redis } = stores);
});

function managerFor(workerId: string, staleList?: Session[]) {
  const started: string[] = [];
  const leases = createLeaseStore({ redis, prefix, ttlMs: 10_000 });
  const manager = createSessionManager({
    workerId,
    capacity: 10,
    logger,
    // A pass that read the session list before another worker's last writes: what a periodic pass
    // under load works from while the rows change under it.
    repos: {
      authState: db.repos.authState,
      sessions: staleList ? { ...db.repos.sessions, list: async () => staleList } : db.repos.sessions,
    },
    leases,
    leaseMarginMs: 500,
    createRunner: (sessionId) => {
      started.push(sessionId);
      return {
        sessionId,
        done: new Promise(() => {}),
        isOpen: () => false,
        stop: async () => {},
      } as unknown as SessionRunner;
    },
  });
  return { manager, leases, started };
}

describe('claiming a session whose owner ended it meanwhile', () => {
  it('re-checks the row after taking the lease: a session logged out since the pass read it is not started again', async () => {
    const session = await db.repos.sessions.create({ name: 'raced' });
    await db.repos.sessions.requestCommand(session.id, { desired: 'running' });
    // Worker A owns it and has it open.
    const a = createLeaseStore({ redis, prefix, ttlMs: 10_000 });
    const leaseA = (await a.acquire(session.id, 'a', 0))!;
    await db.repos.sessions.setOwner(session.id, 'a', leaseA.generation);
    await db.repos.sessions.transitionStatus(session.id, { to: 'open', workerId: 'a' });
    // Worker B's pass reads the list now, while it is open (and owned).
    const stale = await db.repos.sessions.list();
    // A gets a 401: logged out, credentials cleared, then (in that order) owner cleared and lease released.
    await db.repos.sessions.transitionStatus(session.id, {
      to: 'logged_out',
      workerId: 'a',
      disconnectCode: 401,
    });
    await db.repos.sessions.setOwner(session.id, null, leaseA.generation);
    await a.release(leaseA);

    const b = managerFor('b', stale);
    await b.manager.reconcileAll();

    expect(b.started).toEqual([]);
    expect(await b.leases.owner(session.id)).toBeNull();
    const row = await db.repos.sessions.getById(session.id);
    expect(row).toMatchObject({ status: 'logged_out', ownerWorkerId: null });
  });

  it('still claims a session that should run', async () => {
    const session = await db.repos.sessions.create({ name: 'wanted' });
    await db.repos.sessions.requestCommand(session.id, { desired: 'running' });
    const c = managerFor('c', [(await db.repos.sessions.getById(session.id))!]);
    await c.manager.reconcileAll();
    expect(c.started).toEqual([session.id]);
    expect((await c.leases.owner(session.id))?.workerId).toBe('c');
    expect((await db.repos.sessions.getById(session.id))?.ownerWorkerId).toBe('c');
  });
});
