import { waitUntilReady } from '@wagw/queue';
import { type RedisServer, startRedisServer } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { createOutbox, waitForMessageStatus } from './messaging-fixtures.js';
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
    // The private server goes whatever else fails: a teardown that threw left it running before.
    try {
      await receiver?.stop();
      // A failed test may leave Redis stopped: the harness' own connection must be back to clean up.
      await redis?.start().catch(() => undefined);
      if (gw) await waitUntilReady(gw.redis).catch(() => undefined);
      await gw?.close();
    } finally {
      await redis?.close();
    }
  });

  const hooksSince = (sessionId: string, since: Date) =>
    (receiver.events() as unknown as StatusHook[]).filter(
      (e) => e.event === 'session.status' && e.sessionId === sessionId && new Date(e.timestamp) >= since,
    );

  it('reach the webhook once each after Redis is back, with the disconnect that caused them', async () => {
    const created = await gw.createSession('status-outbox', { linked: true });
    const session = await gw.waitForStatus(created.id, 'open', 60_000);
    // w1, or one of its peers when the suite runs with several workers (E2E_WORKERS).
    const { id: owner } = await gw.ownerWorker(session.id);
    const peer = '17773001234';
    gw.sim.messaging.addContact({ phone: peer });
    const outbox = createOutbox(gw, session.id, redis.url);
    // A message delivered first: the session's send consumer runs, and it must not hold the
    // reconnect below (closing a BullMQ worker waits for Redis, which is about to be away).
    const first = await outbox.text(`${peer}@s.whatsapp.net`, 'before the outage');
    await waitForMessageStatus(gw, first.id, ['sent', 'delivered', 'read']);
    const downAt = new Date();
    await redis.stop('SIGTERM');
    // WhatsApp drops the socket (503): the worker reconnects while Redis is away.
    gw.sim.faults.inject({ kind: 'stream-error', code: '503' }, { target: { companionJid: session.meJid! } });
    const changesOfOutage = async () =>
      (await gw.db.repos.sessionEvents.listBySession(session.id))
        .filter((e) => e.createdAt >= downAt)
        .reverse();
    let sofar: Awaited<ReturnType<typeof changesOfOutage>> = [];
    const during = await gw.waitFor(
      'the reconnect recorded while Redis is down',
      async () => {
        sofar = await changesOfOutage();
        return sofar.at(-1)?.toStatus === 'open' ? sofar : undefined;
      },
      30_000,
      () =>
        `changes so far: ${sofar.map((e) => `${e.fromStatus}→${e.toStatus} (${e.reason}, ${e.disconnectCode})`).join(', ') || 'none'}`,
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
      workerId: owner,
    });
    expect(await gw.db.repos.eventOutbox.count()).toBe(0);
    // And the reconnected socket delivers again.
    const after = await outbox.text(`${peer}@s.whatsapp.net`, 'after the outage');
    await waitForMessageStatus(gw, after.id, ['sent', 'delivered', 'read']);
    await outbox.close();
    console.info(
      `${during.length} status changes during the outage (${seen.join(', ')}), at the webhook within ${
        Date.now() - restartedAt - 3000
      } ms of the restart, 0 lost, 0 duplicated`,
    );
  }, 180_000);
});
