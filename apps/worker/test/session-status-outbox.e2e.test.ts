import { type RedisServer, startRedisServer } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

/** A `session.status` webhook as the receiver got it. */
interface StatusHook {
  id: string;
  event: string;
  sessionId: string;
  timestamp: string;
  data: { status: string; previous: string | null; disconnectCode: number | null; workerId: string | null };
}

/**
 * Status changes a worker records while Redis is away are committed with their `session.status`
 * events (event outbox), so they reach webhooks once Redis is back instead of being lost: the
 * worker, its scheduler (whose relay publishes what the worker could not) and a private
 * `redis-server` with AOF that the test stops while the session reconnects.
 */
describe('session status changes while Redis is stopped', () => {
  let redis: RedisServer;
  let gw: Gateway;
  let receiver: Receiver;

  beforeAll(async () => {
    redis = await startRedisServer({ persistence: 'aof' });
    receiver = await startReceiver();
    gw = await startGateway({
      redisUrl: redis.url,
      workerEnv: {
        // A lease that outlives the outage: the worker keeps the session, and records its changes.
        LEASE_TTL: '30000',
        WEBHOOK_URL: receiver.url,
        WEBHOOK_EVENTS: 'session.status',
        // Every process logs each Redis error it meets while Redis is down: errors only here.
        LOG_LEVEL: 'error',
      },
    });
    await gw.startWorker('w1');
    await gw.startScheduler({
      EVENT_OUTBOX_GRACE_MS: '2000',
      EVENT_OUTBOX_INTERVAL: '1000',
      LOG_LEVEL: 'error',
    });
  }, 120_000);
  afterAll(async () => {
    await receiver?.stop();
    await redis?.start().catch(() => undefined);
    await gw?.close();
    await redis?.close();
  });

  const hooksSince = (sessionId: string, since: Date) =>
    (receiver.events() as unknown as StatusHook[]).filter(
      (e) => e.event === 'session.status' && e.sessionId === sessionId && new Date(e.timestamp) >= since,
    );

  it('reach the webhook once each after Redis is back, with the disconnect that caused them', async () => {
    const created = await gw.createSession('status-outbox', { linked: true });
    const session = await gw.waitForStatus(created.id, 'open', 60_000);
    const downAt = new Date();
    await redis.stop('SIGTERM');
    // WhatsApp drops the socket (503): the worker reconnects while Redis is away.
    gw.sim.faults.inject({ kind: 'stream-error', code: '503' }, { target: { companionJid: session.meJid! } });
    const changesOfOutage = async () =>
      (await gw.db.repos.sessionEvents.listBySession(session.id))
        .filter((e) => e.createdAt >= downAt)
        .reverse();
    const during = await gw.waitFor(
      'the reconnect recorded while Redis is down',
      async () => {
        const rows = await changesOfOutage();
        return rows.at(-1)?.toStatus === 'open' ? rows : undefined;
      },
      30_000,
    );
    expect(during[0]).toMatchObject({ fromStatus: 'open', toStatus: 'reconnecting', disconnectCode: 503 });
    expect(hooksSince(session.id, downAt)).toEqual([]);

    await redis.start();
    const restartedAt = Date.now();
    await gw.waitFor(
      `${during.length} status webhooks of the outage`,
      async () => (hooksSince(session.id, downAt).length >= during.length ? true : undefined),
      60_000,
      () => `${hooksSince(session.id, downAt).length} received`,
    );
    // Duplicates would come from the worker's own late publish and the relay: give them time to show.
    await new Promise((r) => setTimeout(r, 3000));
    const hooks = hooksSince(session.id, downAt);
    expect(new Set(hooks.map((h) => h.id)).size).toBe(hooks.length);
    const seen = hooks.map((h) => `${h.data.previous}→${h.data.status}`).sort();
    expect(seen).toEqual(during.map((e) => `${e.fromStatus}→${e.toStatus}`).sort());
    expect(hooks.find((h) => h.data.status === 'reconnecting')?.data).toMatchObject({
      previous: 'open',
      disconnectCode: 503,
      workerId: 'w1',
    });
    expect(await gw.db.repos.eventOutbox.count()).toBe(0);
    console.info(
      `${during.length} status changes during the outage (${seen.join(', ')}), at the webhook within ${
        Date.now() - restartedAt - 3000
      } ms of the restart, 0 lost, 0 duplicated`,
    );
  }, 180_000);
});
