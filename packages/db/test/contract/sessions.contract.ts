import { WAITING_FOR_CAPACITY_REASON } from '@wagw/db';
import { expect, it } from 'vitest';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

export function sessionsContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;

  it('sessions.create stores defaults, is found by id and name, and records a creation event', async () => {
    const name = uniqueName('s');
    const created = await repos().sessions.create({ name, settings: { pacing: { perMinute: 20 } } });
    expect(created).toMatchObject({ name, status: 'stopped', desiredState: 'stopped', reconnectAttempts: 0 });
    const byId = await repos().sessions.getById(created.id);
    expect(byId).toEqual(created);
    expect(await repos().sessions.getByName(name)).toEqual(created);
    expect(await repos().sessions.getById('nope')).toBeNull();
    const events = await repos().sessionEvents.listBySession(created.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ fromStatus: null, toStatus: 'stopped', reason: 'created' });
  });

  it('sessions: names are unique among live sessions and reusable after softDelete', async () => {
    const name = uniqueName('dup');
    const first = await repos().sessions.create({ name });
    await expect(repos().sessions.create({ name })).rejects.toThrow();
    expect(await repos().sessions.softDelete(first.id)).toBe(true);
    expect(await repos().sessions.softDelete(first.id)).toBe(false);
    expect(await repos().sessions.getById(first.id)).toBeNull();
    expect((await repos().sessions.getById(first.id, { includeDeleted: true }))?.deletedAt).toBeInstanceOf(
      Date,
    );
    expect(await repos().sessions.getByName(name)).toBeNull();
    const second = await repos().sessions.create({ name });
    expect((await repos().sessions.getByName(name))?.id).toBe(second.id);
  });

  it('sessions.list filters by status and hides deleted unless asked', async () => {
    const a = await repos().sessions.create({ name: uniqueName('la') });
    const b = await repos().sessions.create({ name: uniqueName('lb') });
    await repos().sessions.transitionStatus(b.id, { to: 'qr' });
    await repos().sessions.softDelete(a.id);
    const ids = (await repos().sessions.list()).map((s) => s.id);
    expect(ids).toContain(b.id);
    expect(ids).not.toContain(a.id);
    expect((await repos().sessions.list({ includeDeleted: true })).map((s) => s.id)).toContain(a.id);
    const qr = await repos().sessions.list({ status: 'qr' });
    expect(qr.every((s) => s.status === 'qr')).toBe(true);
    expect(qr.map((s) => s.id)).toContain(b.id);
    expect((await repos().sessions.list({ status: ['open', 'stopped'] })).map((s) => s.id)).not.toContain(
      b.id,
    );
  });

  it('sessions.requestCommand sets the desired state and a stamped one-shot command', async () => {
    const s = await repos().sessions.create({ name: uniqueName('cmd') });
    const started = await repos().sessions.requestCommand(s.id, { desired: 'running' });
    expect(started).toMatchObject({ desiredState: 'running', pendingCommand: null, pendingCommandAt: null });
    const restart = await repos().sessions.requestCommand(s.id, { desired: 'running', command: 'restart' });
    expect(restart?.pendingCommand).toBe('restart');
    expect(restart?.pendingCommandAt).toBeInstanceOf(Date);
    // A newer command replaces the older one; clearing with the old stamp leaves the new one alone.
    await new Promise((r) => setTimeout(r, 5));
    const logout = await repos().sessions.requestCommand(s.id, { desired: 'stopped', command: 'logout' });
    expect(await repos().sessions.clearCommand(s.id, restart!.pendingCommandAt!)).toBe(false);
    expect((await repos().sessions.getById(s.id))?.pendingCommand).toBe('logout');
    expect(await repos().sessions.clearCommand(s.id, logout!.pendingCommandAt!)).toBe(true);
    expect(await repos().sessions.getById(s.id)).toMatchObject({
      pendingCommand: null,
      desiredState: 'stopped',
    });
    expect(await repos().sessions.requestCommand('nope', { desired: 'running' })).toBeNull();
  });

  it('sessions.setIdentity records who the session is logged in as', async () => {
    const s = await repos().sessions.create({ name: uniqueName('me') });
    await repos().sessions.setIdentity(s.id, {
      meJid: '1555:5@s.whatsapp.net',
      meLid: '99:5@lid',
      pushName: 'Ops',
    });
    expect(await repos().sessions.getById(s.id)).toMatchObject({
      meJid: '1555:5@s.whatsapp.net',
      meLid: '99:5@lid',
      pushName: 'Ops',
    });
  });

  it('sessions.updateDesired', async () => {
    const s = await repos().sessions.create({ name: uniqueName('d') });
    expect((await repos().sessions.updateDesired(s.id, 'running'))?.desiredState).toBe('running');
    expect(await repos().sessions.updateDesired('missing', 'running')).toBeNull();
  });

  it('sessions.transitionStatus updates the row and appends an event atomically', async () => {
    const s = await repos().sessions.create({ name: uniqueName('t') });
    const r1 = await repos().sessions.transitionStatus(s.id, {
      to: 'reconnecting',
      reason: 'connection closed',
      disconnectCode: 428,
      workerId: 'w1',
    });
    expect(r1).toMatchObject({
      status: 'reconnecting',
      statusReason: 'connection closed',
      lastDisconnectCode: 428,
    });
    expect(r1?.reconnectAttempts).toBe(1);
    expect(r1!.statusChangedAt.getTime()).toBeGreaterThanOrEqual(s.statusChangedAt.getTime());
    const r2 = await repos().sessions.transitionStatus(s.id, { to: 'reconnecting' });
    expect(r2).toMatchObject({ reconnectAttempts: 2, lastDisconnectCode: 428, statusReason: null });
    const r3 = await repos().sessions.transitionStatus(s.id, { to: 'open', disconnectCode: null });
    expect(r3).toMatchObject({ status: 'open', reconnectAttempts: 0, lastDisconnectCode: null });
    const events = await repos().sessionEvents.listBySession(s.id);
    expect(events.map((e) => [e.fromStatus, e.toStatus])).toEqual([
      ['reconnecting', 'open'],
      ['reconnecting', 'reconnecting'],
      ['stopped', 'reconnecting'],
      [null, 'stopped'],
    ]);
    expect(events[2]).toMatchObject({ reason: 'connection closed', disconnectCode: 428, workerId: 'w1' });
    expect(await repos().sessionEvents.listBySession(s.id, { limit: 2 })).toHaveLength(2);
  });

  it('sessions.transitionStatus is a compare-and-set on expectedFrom', async () => {
    const s = await repos().sessions.create({ name: uniqueName('cas') });
    expect(await repos().sessions.transitionStatus(s.id, { to: 'open', expectedFrom: 'qr' })).toBeNull();
    expect((await repos().sessions.getById(s.id))?.status).toBe('stopped');
    expect(await repos().sessionEvents.listBySession(s.id)).toHaveLength(1);
    const ok = await repos().sessions.transitionStatus(s.id, {
      to: 'starting',
      expectedFrom: ['failed', 'stopped'],
    });
    expect(ok?.status).toBe('starting');
    expect(await repos().sessions.transitionStatus('missing', { to: 'open' })).toBeNull();
    // Two racers from the same state: exactly one wins.
    const racers = await Promise.all(
      ['connecting', 'failed'].map((to) =>
        repos().sessions.transitionStatus(s.id, {
          to: to as 'connecting' | 'failed',
          expectedFrom: 'starting',
        }),
      ),
    );
    expect(racers.filter((r) => r !== null)).toHaveLength(1);
    expect(await repos().sessionEvents.listBySession(s.id)).toHaveLength(3);
  });

  it('sessions.transitionStatus is a compare-and-set on expectedOwner (owner and lease generation)', async () => {
    const s = await repos().sessions.create({ name: uniqueName('cas-owner') });
    const unowned = { workerId: null, generation: 0 };
    // Claimed meanwhile (a newer generation): the write about an unowned session is refused.
    await repos().sessions.setOwner(s.id, 'w1', 1);
    expect(
      await repos().sessions.transitionStatus(s.id, { to: 'stopped', reason: 'x', expectedOwner: unowned }),
    ).toBeNull();
    expect(
      await repos().sessions.transitionStatus(s.id, {
        to: 'stopped',
        expectedOwner: { workerId: null, generation: 1 },
      }),
    ).toBeNull();
    const ok = await repos().sessions.transitionStatus(s.id, {
      to: 'starting',
      expectedOwner: { workerId: 'w1', generation: 1 },
    });
    expect(ok?.status).toBe('starting');
  });

  it('sessions.countWaitingForCapacity counts live sessions that should run and wait for a worker', async () => {
    const before = await repos().sessions.countWaitingForCapacity();
    const waiting = async (desired: 'running' | 'stopped') => {
      const s = await repos().sessions.create({ name: uniqueName('wait'), desiredState: desired });
      await repos().sessions.transitionStatus(s.id, { to: 'stopped', reason: WAITING_FOR_CAPACITY_REASON });
      return s;
    };
    await waiting('running');
    // Not counted: stopped on request since, deleted, or another reason.
    await waiting('stopped');
    await repos().sessions.softDelete((await waiting('running')).id);
    await repos().sessions.create({ name: uniqueName('wait'), desiredState: 'running' });
    expect(await repos().sessions.countWaitingForCapacity()).toBe(before + 1);
  });

  it('sessions.setOwner records owner and generation and refuses stale generations', async () => {
    const s = await repos().sessions.create({ name: uniqueName('own') });
    expect(await repos().sessions.setOwner(s.id, 'w1', 1)).toMatchObject({
      ownerWorkerId: 'w1',
      leaseGeneration: 1,
    });
    expect(await repos().sessions.setOwner(s.id, 'w2', 2)).toMatchObject({
      ownerWorkerId: 'w2',
      leaseGeneration: 2,
    });
    expect(await repos().sessions.setOwner(s.id, 'w1', 1)).toBeNull();
    expect(await repos().sessions.setOwner(s.id, null, 2)).toMatchObject({
      ownerWorkerId: null,
      leaseGeneration: 2,
    });
  });

  it('sessions.setOwner refuses a generation already recorded for another worker', async () => {
    const s = await repos().sessions.create({ name: uniqueName('own') });
    await repos().sessions.setOwner(s.id, 'w1', 3);
    // The same number handed out twice (Redis lost its counter): the second claimant is refused.
    expect(await repos().sessions.setOwner(s.id, 'w2', 3)).toBeNull();
    expect(await repos().sessions.getById(s.id)).toMatchObject({ ownerWorkerId: 'w1', leaseGeneration: 3 });
    expect(await repos().sessions.setOwner(s.id, 'w1', 3)).toMatchObject({ ownerWorkerId: 'w1' });
    // Released at that generation, it is free to whoever holds it next.
    expect(await repos().sessions.setOwner(s.id, null, 3)).toMatchObject({ ownerWorkerId: null });
    expect(await repos().sessions.setOwner(s.id, 'w2', 3)).toMatchObject({
      ownerWorkerId: 'w2',
      leaseGeneration: 3,
    });
  });

  it('sessions.countByStatus counts live sessions for every status', async () => {
    const before = await repos().sessions.countByStatus();
    expect(Object.keys(before)).toHaveLength(10);
    const a = await repos().sessions.create({ name: uniqueName('c') });
    await repos().sessions.transitionStatus(a.id, { to: 'needs_pairing' });
    const gone = await repos().sessions.create({ name: uniqueName('c') });
    await repos().sessions.softDelete(gone.id);
    const after = await repos().sessions.countByStatus();
    expect(after.needs_pairing).toBe(before.needs_pairing + 1);
    expect(after.stopped).toBe(before.stopped);
  });

  it('sessions.listStale returns live sessions stuck in a status since before a time', async () => {
    const s = await repos().sessions.create({ name: uniqueName('stale') });
    await repos().sessions.transitionStatus(s.id, { to: 'connecting' });
    const future = new Date(Date.now() + 60_000);
    const past = new Date(Date.now() - 60_000);
    expect(
      (await repos().sessions.listStale({ statuses: ['connecting'], olderThan: future })).map((x) => x.id),
    ).toContain(s.id);
    expect(
      (await repos().sessions.listStale({ statuses: ['connecting'], olderThan: past })).map((x) => x.id),
    ).not.toContain(s.id);
    expect(
      (await repos().sessions.listStale({ statuses: ['qr'], olderThan: future })).map((x) => x.id),
    ).not.toContain(s.id);
    expect(await repos().sessions.listStale({ statuses: [], olderThan: future })).toEqual([]);
  });
}
