import { waitUntilReady } from '@wagw/queue';
import { type RedisServer, startRedisServer } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionPhone } from './messaging-fixtures.js';
import { startTopology, type Topology } from './topology.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

const CONTACTS = 5;

/**
 * Redis stopped, emptied and frozen under the deployed topology (nginx, 2 API replicas, 3 workers,
 * the scheduler; SQLite), on a private redis-server with AOF as production runs it. Each time: what
 * was accepted is delivered, once; /api/health says Redis is down while it is and ok after; the
 * processes recover without a restart.
 */
describe('Redis faults in the deployed topology', () => {
  let redis: RedisServer;
  let topo: Topology;
  let receiver: Receiver;
  let sessionId: string;
  const phones = Array.from({ length: CONTACTS }, (_, i) => `1777300${i}0000`);

  beforeAll(async () => {
    redis = await startRedisServer({ persistence: 'aof' });
    topo = await startTopology({
      database: 'sqlite',
      redisUrl: redis.url,
      // Every process logs each Redis error it meets (hundreds in a minute of outage): errors only here.
      workerEnv: { LEASE_TTL: '10000', LOG_LEVEL: 'error' },
      apiEnv: { REQUEST_TIMEOUT: '5000', LOG_LEVEL: 'fatal' },
      // Messages accepted while Redis was away are enqueued by the outbox reconciliation.
      // Events committed while Redis was away are published by the event outbox relay.
      schedulerEnv: {
        OUTBOX_GRACE_MS: '2000',
        OUTBOX_RECONCILE_INTERVAL: '2000',
        EVENT_OUTBOX_GRACE_MS: '2000',
        EVENT_OUTBOX_INTERVAL: '1000',
        LOG_LEVEL: 'error',
      },
    });
    receiver = await startReceiver();
    const session = await topo.gw.createSession('redis-faults', {
      linked: true,
      settings: { pacing: { perMinute: 60_000, minDelayMs: 0, maxDelayMs: 0 } },
    });
    sessionId = session.id;
    await topo.gw.waitForStatus(sessionId, 'open', 60_000);
    for (const phone of phones) topo.gw.sim.messaging.addContact({ phone });
    const hook = await topo.call('POST', `/api/sessions/${sessionId}/webhooks`, {
      url: receiver.url,
      events: ['message.received'],
    });
    expect(hook.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    // The private server goes whatever else fails: a teardown that threw left it running before.
    try {
      await receiver?.stop();
      redis?.resume();
      await redis?.start().catch(() => undefined);
      if (topo) await waitUntilReady(topo.gw.redis).catch(() => undefined);
      await topo?.close();
    } finally {
      await redis?.close();
    }
  });

  /** Texts the contacts decrypted: text → the WhatsApp ids it arrived under. */
  function delivered(prefix: string) {
    const byText = new Map<string, string[]>();
    for (const m of topo.gw.sim.messaging.decrypted()) {
      if (m.ownDevice || !m.text?.startsWith(prefix)) continue;
      byText.set(m.text, [...(byText.get(m.text) ?? []), m.id]);
    }
    return byText;
  }

  /** Waits for `count` texts, then checks none arrived under two WhatsApp ids; returns the redeliveries. */
  async function expectDeliveredOnce(prefix: string, count: number, timeoutMs: number) {
    await topo.gw.waitFor(
      `${count} "${prefix}" messages at the peers`,
      async () => (delivered(prefix).size >= count ? true : undefined),
      timeoutMs,
    );
    let redelivered = 0;
    for (const [, ids] of delivered(prefix)) {
      expect(new Set(ids).size).toBe(1);
      redelivered += ids.length - 1;
    }
    return redelivered;
  }

  async function bulk(prefix: string, n: number) {
    const res = await topo.call('POST', `/api/sessions/${sessionId}/messages/bulk`, {
      messages: Array.from({ length: n }, (_, i) => ({ to: phones[i % CONTACTS], text: `${prefix}-${i}` })),
    });
    expect(res.status).toBe(202);
  }

  async function health(): Promise<{ code: number; status?: string; redis?: string }> {
    const res = await topo.call('GET', '/api/health').catch(() => undefined);
    if (!res) return { code: 0 };
    const body = (await res.json().catch(() => ({}))) as { status?: string; redis?: string };
    // The HTTP status last: an error body has a `code` of its own (SERVICE_OVERLOADED when the API
    // sheds load, as it did once in the full suite: a 503 all the same).
    return { ...body, code: res.status };
  }

  async function waitHealthy(timeoutMs: number) {
    await topo.gw.waitFor(
      'health ok with redis connected',
      async () => {
        const h = await health();
        return h.code === 200 && h.redis === 'connected' ? true : undefined;
      },
      timeoutMs,
    );
  }

  /** A send while Redis is away: 503 QUEUE_UNAVAILABLE, the row kept `queued` for reconciliation. */
  async function sendWhileDown(text: string): Promise<string> {
    const res = await topo.call('POST', `/api/sessions/${sessionId}/messages`, { to: phones[0], text });
    const body = (await res.json()) as { code?: string; details?: { messageId?: string; status?: string } };
    expect(res.status, JSON.stringify(body)).toBe(503);
    expect(body.code).toBe('QUEUE_UNAVAILABLE');
    expect(body.details?.status).toBe('queued');
    return body.details!.messageId!;
  }

  it('restarted with AOF during a bulk: health tells, sends are kept, all delivered once after', async () => {
    await bulk('aof', 100);
    const downAt = Date.now();
    await redis.stop('SIGTERM');
    const during = await health();
    expect(during.code).toBe(503);
    expect(during.redis).toBe('disconnected');
    const kept = await sendWhileDown('aof-kept');
    expect((await topo.gw.db.repos.messages.getById(kept))?.status).toBe('queued');
    // Inbound while Redis is away: stored with their events (event outbox), published after.
    const phone = await sessionPhone(topo.gw, sessionId);
    const receivedBefore = (await topo.gw.db.repos.messages.countByStatus(sessionId)).received;
    await Promise.all(
      phones.map((p, i) => topo.gw.sim.messaging.contact(p)!.sendText(phone, `during-aof-${i}`)),
    );
    await topo.gw.waitFor('the inbound messages stored while Redis is down', async () =>
      (await topo.gw.db.repos.messages.countByStatus(sessionId)).received >= receivedBefore + CONTACTS
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 3000));
    await redis.start();
    await waitHealthy(30_000);
    const redelivered = await expectDeliveredOnce('aof', 101, 90_000);
    console.info(
      `aof restart: healthy and all delivered ${Date.now() - downAt} ms after the stop, ${redelivered} redelivered`,
    );

    // Each inbound message of the outage reaches the webhook, once.
    const outageHooks = () => receiver.events().filter((e) => JSON.stringify(e.data).includes('during-aof-'));
    await topo.gw.waitFor(
      'the outage inbound webhooks',
      async () => (outageHooks().length >= CONTACTS ? true : undefined),
      60_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(new Set(outageHooks().map((e) => e.id)).size).toBe(CONTACTS);
    expect(outageHooks()).toHaveLength(CONTACTS);
    // And inbound after the restart too: the dispatcher's stream survived.
    await topo.gw.sim.messaging.contact(phones[1]!)!.sendText(phone, 'after-aof');
    await topo.gw.waitFor('the inbound webhook', async () =>
      receiver.events().some((e) => JSON.stringify(e.data).includes('after-aof')) ? true : undefined,
    );
  }, 180_000);

  it('restarted empty (no persistence): leases, queues and streams are gone, nothing accepted is lost', async () => {
    await bulk('empty', 60);
    const downAt = Date.now();
    await redis.stop('SIGKILL');
    const kept = await sendWhileDown('empty-kept');
    await redis.start({ empty: true });
    await waitHealthy(30_000);
    // Workers take the session again (the lease generation continues above the database's) and the
    // scheduler's outbox reconciliation enqueues what the lost queue held.
    await topo.gw.waitForStatus(sessionId, 'open', 60_000);
    const redelivered = await expectDeliveredOnce('empty', 61, 120_000);
    expect((await topo.gw.db.repos.messages.getById(kept))?.status).not.toBe('queued');
    console.info(
      `empty restart: all delivered ${Date.now() - downAt} ms after the kill, ${redelivered} redelivered`,
    );
  }, 180_000);

  it('frozen for 60 s (SIGSTOP): health answers promptly and tells, everything recovers after', async () => {
    await bulk('frozen', 40);
    const frozenAt = Date.now();
    redis.pause();
    const probes: Array<{ code: number; ms: number }> = [];
    while (Date.now() - frozenAt < 60_000) {
      const started = Date.now();
      const h = await health();
      probes.push({ code: h.code, ms: Date.now() - started });
      await new Promise((r) => setTimeout(r, 5000));
    }
    redis.resume();
    // After the first seconds every probe says unhealthy, and none hangs past the request timeout.
    const settled = probes.slice(2);
    expect(
      settled.every((p) => p.code === 503),
      JSON.stringify(probes),
    ).toBe(true);
    expect(Math.max(...probes.map((p) => p.ms)), JSON.stringify(probes)).toBeLessThan(7000);
    await waitHealthy(60_000);
    await topo.gw.waitForStatus(sessionId, 'open', 60_000);
    const redelivered = await expectDeliveredOnce('frozen', 40, 120_000);
    console.info(
      `60 s freeze: all delivered ${Date.now() - frozenAt - 60_000} ms after the thaw, ${redelivered} redelivered`,
    );
  }, 300_000);
});
