import type { Database, DesiredState, Session, SessionStatus } from '@wagw/db';
import {
  createLeaseStore,
  createProducerConnection,
  type LeaseStore,
  type RedisConnection,
  readEvents,
  redisKeys,
  waitUntilReady,
} from '@wagw/queue';
import { redisUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayEventOutbox } from '../src/event-outbox-relay.task.js';
import {
  cleanupStaleSessions,
  REVIVAL_REASON,
  reviveFailedSessions,
  runMaintenanceTask,
  STALE_REASON,
} from '../src/index.js';

/** What a dialect provides: a migrated database on fresh storage, and how to remove it. */
export interface MaintenanceTarget {
  db: Database;
  cleanup(): Promise<void>;
}

const COOLDOWN_MS = 60_000;
const STALE_AGE_MS = 60_000;

/**
 * The revival and cleanup behaviour, run unchanged against SQLite and PostgreSQL. Tests share one
 * database per dialect, so every assertion is about the sessions the test itself created.
 * Ages are real: a test creates the "old" session first and sets `now` between the two.
 */
export function describeMaintenanceTasks(dialect: string, open: () => Promise<MaintenanceTarget>) {
  describe(`maintenance tasks (${dialect})`, () => {
    const prefix = uniquePrefix(`maintenance-${dialect}`);
    const keys = redisKeys(prefix);
    let target: MaintenanceTarget;
    let redis: RedisConnection;
    let leases: LeaseStore;
    let counter = 0;
    const repos = () => target.db.repos;

    beforeAll(async () => {
      target = await open();
      redis = createProducerConnection(redisUrl());
      await waitUntilReady(redis);
      leases = createLeaseStore({ redis, prefix, ttlMs: 10_000 });
    });

    afterAll(async () => {
      await target?.cleanup();
      if (!redis) return;
      const left = await redis.keys(`${prefix}:*`);
      if (left.length > 0) await redis.del(...left);
      redis.disconnect();
    });

    async function session(status: SessionStatus, desired: DesiredState = 'running'): Promise<Session> {
      counter += 1;
      const s = await repos().sessions.create({ name: `${dialect}-${counter}`, desiredState: desired });
      const moved = await repos().sessions.transitionStatus(s.id, { to: status, reason: 'test setup' });
      return moved!;
    }

    /** A session a worker claimed (lease + owner row) and left in `status`. */
    async function owned(status: SessionStatus, workerId: string, desired: DesiredState = 'running') {
      const s = await session(status, desired);
      const lease = (await leases.acquire(s.id, workerId))!;
      await repos().sessions.setOwner(s.id, workerId, lease.generation);
      return { session: (await repos().sessions.getById(s.id))!, lease };
    }

    /** A clock just past `age` after `session` changed status (so it, and anything older, is stale). */
    const justAfter = (s: Session, age: number) => () => new Date(s.statusChangedAt.getTime() + age + 1);
    /** A clock at which `s` is not stale yet, but anything that changed 10+ ms earlier is. */
    const justBefore = (s: Session, age: number) => () => new Date(s.statusChangedAt.getTime() + age - 5);
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

    describe('reviveFailedSessions', () => {
      it('revives failed sessions past the cool-down, with the reason and a session_events row', async () => {
        const old = await session('failed');
        await pause(20);
        const young = await session('failed');
        const report = await reviveFailedSessions({
          repos: repos(),
          cooldownMs: COOLDOWN_MS,
          redis,
          prefix,
          now: justBefore(young, COOLDOWN_MS),
        });
        expect(report.revivedSessionIds).toContain(old.id);
        expect(report.revivedSessionIds).not.toContain(young.id);
        expect(report.revived).toBe(report.revivedSessionIds.length);
        expect(await repos().sessions.getById(old.id)).toMatchObject({
          status: 'starting',
          statusReason: REVIVAL_REASON,
        });
        expect((await repos().sessions.getById(young.id))?.status).toBe('failed');
        const [latest] = await repos().sessionEvents.listBySession(old.id, { limit: 1 });
        expect(latest).toMatchObject({ fromStatus: 'failed', toStatus: 'starting', reason: REVIVAL_REASON });
        const events = (await readEvents(redis, prefix, '0', { count: 10_000 })).map((e) => e.event);
        expect(events.filter((e) => e.sessionId === old.id).map((e) => e.data)).toEqual([
          {
            status: 'starting',
            previous: 'failed',
            reason: REVIVAL_REASON,
            disconnectCode: null,
            workerId: null,
          },
        ]);
        expect(events.filter((e) => e.sessionId === young.id)).toEqual([]);
      });

      it('keeps the announcement in the event outbox while Redis is away; the relay publishes it under its id', async () => {
        const s = await session('failed');
        const down = createProducerConnection('redis://127.0.0.1:1', { connectTimeout: 200 });
        down.on('error', () => {});
        const report = await reviveFailedSessions({
          repos: repos(),
          redis: down,
          prefix,
          cooldownMs: COOLDOWN_MS,
          now: justAfter(s, COOLDOWN_MS),
        });
        down.disconnect();
        expect(report.revivedSessionIds).toContain(s.id);
        const ofSession = async () =>
          (await readEvents(redis, prefix, '0', { count: 10_000 }))
            .map((e) => e.event)
            .filter((e) => e.sessionId === s.id);
        expect(await ofSession()).toEqual([]);
        // The change and its event were committed together: the relay finds and publishes it.
        const relay = await relayEventOutbox({ repos: repos(), redis, prefix, graceMs: 0 });
        expect(relay.published).toBeGreaterThanOrEqual(1);
        const [published] = await ofSession();
        expect(published).toMatchObject({
          event: 'session.status',
          data: { status: 'starting', previous: 'failed', reason: REVIVAL_REASON, workerId: null },
        });
        // Published once: its outbox row is gone, a second relay run publishes nothing of it.
        await relayEventOutbox({ repos: repos(), redis, prefix, graceMs: 0 });
        expect(await ofSession()).toHaveLength(1);
      });

      it('with Redis there, publishes the stored announcement itself and deletes its outbox row', async () => {
        const s = await session('failed');
        await reviveFailedSessions({
          repos: repos(),
          redis,
          prefix,
          cooldownMs: COOLDOWN_MS,
          now: justAfter(s, COOLDOWN_MS),
        });
        const stale = await repos().eventOutbox.claimStale(new Date(Date.now() + 60_000), 1, 10_000);
        expect(stale.filter((e) => e.sessionId === s.id)).toEqual([]);
      });

      it('leaves stopped-desired, logged_out, conflict and needs_pairing sessions alone', async () => {
        const untouched = [
          await session('failed', 'stopped'),
          await session('logged_out'),
          await session('conflict'),
          await session('needs_pairing'),
        ];
        const report = await reviveFailedSessions({
          repos: repos(),
          cooldownMs: COOLDOWN_MS,
          now: () => new Date(Date.now() + 10 * COOLDOWN_MS),
        });
        for (const s of untouched) {
          expect(report.revivedSessionIds).not.toContain(s.id);
          expect((await repos().sessions.getById(s.id))?.status).toBe(s.status);
        }
      });

      it('two concurrent runs revive a session exactly once', async () => {
        const s = await session('failed');
        const deps = { repos: repos(), cooldownMs: COOLDOWN_MS, now: justAfter(s, COOLDOWN_MS) };
        const [a, b] = await Promise.all([reviveFailedSessions(deps), reviveFailedSessions(deps)]);
        const revived = [...a.revivedSessionIds, ...b.revivedSessionIds].filter((id) => id === s.id);
        expect(revived).toHaveLength(1);
        const events = await repos().sessionEvents.listBySession(s.id);
        expect(events.filter((e) => e.reason === REVIVAL_REASON)).toHaveLength(1);
      });
    });

    describe('cleanupStaleSessions', () => {
      const cleanup = (now: () => Date) =>
        cleanupStaleSessions({ repos: repos(), leases, redis, prefix, staleAgeMs: STALE_AGE_MS, now });

      it('resets a session a killed worker left starting, and clears its owner', async () => {
        const { session: s } = await owned('starting', 'dead-worker');
        await redis.del(keys.lease(s.id)); // the worker died: its lease expired
        const report = await cleanup(justAfter(s, STALE_AGE_MS));
        expect(report.resetSessionIds).toContain(s.id);
        expect(await repos().sessions.getById(s.id)).toMatchObject({
          status: 'starting',
          statusReason: STALE_REASON,
          ownerWorkerId: null,
          leaseGeneration: s.leaseGeneration,
        });
        const [latest] = await repos().sessionEvents.listBySession(s.id, { limit: 1 });
        expect(latest).toMatchObject({ fromStatus: 'starting', toStatus: 'starting', reason: STALE_REASON });
      });

      it('announces the reset on the event stream, so live views leave the dead worker', async () => {
        const { session: s } = await owned('open', 'dead-worker');
        await redis.del(keys.lease(s.id));
        await cleanup(justAfter(s, STALE_AGE_MS));
        const events = (await readEvents(redis, prefix, '0', { count: 10_000 })).map((e) => e.event);
        expect(events.filter((e) => e.sessionId === s.id)).toEqual([
          expect.objectContaining({
            event: 'session.status',
            data: {
              status: 'starting',
              previous: 'open',
              reason: STALE_REASON,
              disconnectCode: null,
              workerId: null,
            },
          }),
        ]);
      });

      it('stops an orphan whose desired state is stopped', async () => {
        const s = await session('reconnecting', 'stopped');
        const report = await cleanup(justAfter(s, STALE_AGE_MS));
        expect(report.stoppedSessionIds).toContain(s.id);
        expect(await repos().sessions.getById(s.id)).toMatchObject({
          status: 'stopped',
          statusReason: STALE_REASON,
        });
      });

      it('leaves sessions with a live lease alone whatever their age, and young orphans too', async () => {
        const { session: leased } = await owned('connecting', 'live-worker');
        const { session: openLeased } = await owned('open', 'live-worker');
        await pause(20);
        const young = await session('connecting');
        const report = await cleanup(justBefore(young, STALE_AGE_MS));
        for (const s of [leased, openLeased, young]) {
          expect([...report.resetSessionIds, ...report.stoppedSessionIds]).not.toContain(s.id);
          expect(await repos().sessions.getById(s.id)).toMatchObject({
            status: s.status,
            ownerWorkerId: s.ownerWorkerId,
          });
        }
        expect(report.liveOwner).toBeGreaterThanOrEqual(2);
      });

      it('resets an open session without a live owner at once (age does not matter)', async () => {
        const s = await session('open');
        const report = await cleanup(() => new Date());
        expect(report.resetSessionIds).toContain(s.id);
        expect((await repos().sessions.getById(s.id))?.status).toBe('starting');
      });

      it("clears a deleted session's leftover auth state, never a live session's", async () => {
        const deleted = await session('stopped', 'stopped');
        const live = await session('stopped', 'stopped');
        for (const s of [deleted, live]) {
          await repos().authState.saveCreds(s.id, '{"me":"x"}');
          await repos().authState.setKeys(s.id, [{ type: 'session', id: 'k1', value: '"v"' }]);
        }
        await repos().sessions.softDelete(deleted.id);
        const report = await cleanup(() => new Date());
        expect(report.authStateClearedSessionIds).toContain(deleted.id);
        expect(report.authStateClearedSessionIds).not.toContain(live.id);
        expect(await repos().authState.getCreds(deleted.id)).toBeNull();
        expect(await repos().authState.getKeys(deleted.id, 'session', ['k1'])).toEqual({});
        expect(await repos().authState.getCreds(live.id)).not.toBeNull();
      });

      it('deletes QR keys of sessions no longer pairing, keeps those of a pairing or owned session', async () => {
        const stopped = await session('stopped', 'stopped');
        const deleted = await session('stopped', 'stopped');
        await repos().sessions.softDelete(deleted.id);
        const pairing = await session('qr');
        const { session: ownedConnecting } = await owned('connecting', 'live-worker');
        for (const s of [stopped, deleted, pairing, ownedConnecting])
          await redis.set(keys.qr(s.id), `qr-${s.id}`);
        const report = await cleanup(() => new Date());
        expect(report.qrKeysDeletedSessionIds).toEqual(expect.arrayContaining([stopped.id, deleted.id]));
        expect(await redis.exists(keys.qr(stopped.id), keys.qr(deleted.id))).toBe(0);
        expect(await redis.get(keys.qr(pairing.id))).toBe(`qr-${pairing.id}`);
        expect(await redis.get(keys.qr(ownedConnecting.id))).toBe(`qr-${ownedConnecting.id}`);
      });

      it('nudges the workers with "*" after a run that changed something', async () => {
        const subscriber = createProducerConnection(redisUrl());
        try {
          const received: string[] = [];
          subscriber.on('message', (_channel, message: string) => received.push(message));
          await waitUntilReady(subscriber);
          await subscriber.subscribe(keys.reconcileChannel);
          const s = await session('open');
          const report = await runMaintenanceTask('stale-session-cleanup', {
            repos: repos(),
            leases,
            redis,
            prefix,
            revivalCooldownMs: COOLDOWN_MS,
            staleSessionAgeMs: STALE_AGE_MS,
          });
          expect(report).toMatchObject({ task: 'stale-session-cleanup', nudged: true });
          expect(
            'result' in report && 'resetSessionIds' in report.result && report.result.resetSessionIds,
          ).toContain(s.id);
          await expect.poll(() => received).toContain('*');
        } finally {
          subscriber.disconnect();
        }
      });
    });
  });
}
