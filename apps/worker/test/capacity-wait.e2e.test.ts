import { WAITING_FOR_CAPACITY_REASON } from '@wagw/db';
import { readEvents } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

const CAPACITY = { MAX_SESSIONS_PER_WORKER: '2' };

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.close());

interface HealthBody {
  status: string;
  reasons: string[];
  sessions: { waitingForCapacity: number };
}

describe('sessions no worker has room for', () => {
  it('are reported waiting for capacity (session view, health, metrics) until a worker with room takes them', async () => {
    await gw.startWorker('full', CAPACITY);
    // 'full' and, when the suite runs with several workers (E2E_WORKERS), its peers: room for two
    // sessions each, and one session more than that.
    const full = gw.workerIds();
    const room = 2 * full.length;
    const api = await gw.startApi();
    const sessions = await Promise.all(
      Array.from({ length: room + 1 }, (_, i) => gw.createSession(`capacity-${i}`, { linked: true })),
    );
    const waiting = await gw.waitFor(
      `${room} sessions open and one waiting for capacity`,
      async () => {
        const rows = await Promise.all(sessions.map((s) => gw.db.repos.sessions.getById(s.id)));
        const open = rows.filter((r) => r?.status === 'open');
        const rest = rows.filter((r) => r?.status !== 'open');
        return open.length === room && rest[0]?.statusReason === WAITING_FOR_CAPACITY_REASON && rest[0];
      },
      60_000,
    );
    expect(waiting.status).toBe('stopped');
    expect(await gw.ownerOf(waiting.id)).toBeNull();
    // Announced like any status change (live views, webhooks), by the worker that is full.
    const announced = await gw.waitFor('the wait announced as session.status', async () =>
      (await readEvents(gw.redis, gw.prefix, '0', { count: 10_000 }))
        .map((e) => e.event)
        .find((e) => e.sessionId === waiting.id && e.data.reason === WAITING_FOR_CAPACITY_REASON),
    );
    expect(announced).toMatchObject({ event: 'session.status', data: { status: 'stopped' } });
    expect(full).toContain(announced?.data.workerId);

    const view = (await (await api.call('GET', `/api/sessions/${waiting.id}`)).json()) as {
      status: string;
      statusReason: string;
    };
    expect(view).toMatchObject({ status: 'stopped', statusReason: WAITING_FOR_CAPACITY_REASON });

    const health = await api.call('GET', '/api/health');
    const body = (await health.json()) as HealthBody;
    expect(body.status).toBe('degraded');
    expect(body.reasons).toContain('1 session waiting for capacity');
    expect(body.sessions.waitingForCapacity).toBe(1);
    // Degraded, not unready: the API and the sessions that run are fine.
    expect((await api.call('GET', '/api/health/ready')).status).toBe(200);
    expect(await metricLine(api)).toBe('wagw_sessions_waiting_for_capacity 1');

    // Capacity added: the waiting session is placed and the report clears everywhere.
    await gw.startWorker('spare', CAPACITY);
    const placed = await gw.waitForStatus(waiting.id, 'open', 60_000);
    expect(placed.statusReason).not.toBe(WAITING_FOR_CAPACITY_REASON);
    expect(await gw.ownerOf(waiting.id)).toBe('spare');
    const after = (await (await api.call('GET', '/api/health')).json()) as HealthBody;
    expect(after.sessions.waitingForCapacity).toBe(0);
    expect(after.reasons.filter((r) => r.includes('capacity'))).toEqual([]);
    expect(await metricLine(api)).toBe('wagw_sessions_waiting_for_capacity 0');
  }, 120_000);
});

type Api = Awaited<ReturnType<Gateway['startApi']>>;

/** The gauge's line on /metrics (scraped with the admin key, which opens it without METRICS_TOKEN). */
async function metricLine(api: Api): Promise<string | undefined> {
  const text = await (await api.call('GET', '/metrics')).text();
  return text.split('\n').find((line) => line.startsWith('wagw_sessions_waiting_for_capacity '));
}
