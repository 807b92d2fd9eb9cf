import { describe, expect, it } from 'vitest';
import type { ClusterState } from './cluster-state.js';
import { decideHealth } from './health-status.js';

const worker = {
  instanceId: 'w-1',
  sessions: 1,
  open: 1,
  capacity: 50,
  rss: 1,
  heapAfterGc: null,
  eventLoopDelayP99Ms: 1,
  breakers: {},
  dbSpool: { depth: 0, memory: 0, refused: 0 },
  lastBeatAt: new Date().toISOString(),
};
const cluster = (over: Partial<ClusterState> = {}): ClusterState => ({
  apiReplicas: [],
  missingApiReplicas: [],
  workers: [worker],
  missingWorkers: [],
  schedulers: [],
  missingSchedulers: [],
  circuitBreakers: {},
  ...over,
});
const up = { database: 'connected', redis: 'connected' } as const;

describe('decideHealth', () => {
  it('is ok with a live worker, no open breaker and no failed session', () => {
    expect(decideHealth({ ...up, sessions: { open: 3 }, cluster: cluster() })).toEqual({
      status: 'ok',
      reasons: [],
    });
  });

  it('is error when a store is unreachable, whatever else', () => {
    expect(decideHealth({ ...up, redis: 'disconnected', sessions: {}, cluster: null })).toEqual({
      status: 'error',
      reasons: ['redis unreachable'],
    });
    expect(decideHealth({ ...up, database: 'disconnected', sessions: null, cluster: cluster() }).status).toBe(
      'error',
    );
  });

  it.each([
    [{ cluster: cluster({ workers: [] }) }, 'no worker heartbeat'],
    [{ cluster: cluster({ missingWorkers: ['w-9'] }) }, 'worker w-9 missing'],
    [{ cluster: cluster({ missingSchedulers: ['s-1'] }) }, 'scheduler s-1 missing'],
    [
      { cluster: cluster({ circuitBreakers: { 'send:A': { state: 'open', workers: { 'w-1': 'open' } } } }) },
      'circuit breaker send:A open',
    ],
    [{ sessions: { failed: 2 } }, '2 sessions failed'],
    [{ sessions: { conflict: 1 } }, '1 session conflict'],
    [{ sessions: { stopped: 3, waitingForCapacity: 1 } }, '1 session waiting for capacity'],
  ])('is degraded: %j', (over, reason) => {
    const result = decideHealth({ ...up, sessions: {}, cluster: cluster(), ...over });
    expect(result.status).toBe('degraded');
    expect(result.reasons).toContain(reason);
  });

  it('an open webhook receiver breaker does not degrade; every other open breaker still does', () => {
    const open = { state: 'open', workers: { 'w-1': 'open' } } as const;
    const webhookOnly = decideHealth({
      ...up,
      sessions: { open: 1 },
      cluster: cluster({ circuitBreakers: { 'webhook:01JWH': open, 'webhook:config': open } }),
    });
    expect(webhookOnly).toEqual({ status: 'ok', reasons: [] });

    const mixed = decideHealth({
      ...up,
      sessions: {},
      cluster: cluster({ circuitBreakers: { 'webhook:01JWH': open, db: open, 'send:A': open } }),
    });
    expect(mixed.status).toBe('degraded');
    expect(mixed.reasons).toEqual(['circuit breaker db open', 'circuit breaker send:A open']);
  });

  it('a name merely containing "webhook" is not exempt', () => {
    const result = decideHealth({
      ...up,
      sessions: {},
      cluster: cluster({
        circuitBreakers: { 'send:webhook:x': { state: 'open', workers: { 'w-1': 'open' } } },
      }),
    });
    expect(result.reasons).toEqual(['circuit breaker send:webhook:x open']);
  });

  it('a failing media store degrades; a working or absent one does not', () => {
    const base = { ...up, sessions: {}, cluster: cluster() };
    expect(decideHealth({ ...base, media: { ok: false } })).toEqual({
      status: 'degraded',
      reasons: ['media store unavailable'],
    });
    expect(decideHealth({ ...base, media: { ok: true } }).status).toBe('ok');
    expect(decideHealth(base).status).toBe('ok');
  });

  it('half-open breakers, logged-out and unpaired sessions do not degrade', () => {
    const result = decideHealth({
      ...up,
      sessions: { logged_out: 2, needs_pairing: 1 },
      cluster: cluster({ circuitBreakers: { db: { state: 'half-open', workers: { 'w-1': 'half-open' } } } }),
    });
    expect(result.status).toBe('ok');
  });

  it('is degraded while workers hold database writes in their spools', () => {
    const spooling = { ...worker, dbSpool: { depth: 7, memory: 0, refused: 0 } };
    expect(decideHealth({ ...up, sessions: { open: 1 }, cluster: cluster({ workers: [spooling] }) })).toEqual(
      {
        status: 'degraded',
        reasons: ['7 database writes waiting in worker spools'],
      },
    );
  });
});
