import { type SentinelGroup, startSentinelGroup } from '@wagw/testing';
import { verifyWebhook } from '@wagw/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { sessionPhone } from './messaging-fixtures.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

// Every process reaches Redis through three sentinels (`redis+sentinel://…` REDIS_URL); the master
// is switched in the middle of a bulk send.
let group: SentinelGroup;
let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let receiver: Receiver;
const phones = Array.from({ length: 5 }, (_, i) => `1999000${i}000`);

beforeAll(async () => {
  group = await startSentinelGroup();
  gw = await startGateway({ redisUrl: group.url, workerEnv: { LEASE_TTL: '10000' } });
  api = await gw.startApi();
  await Promise.all([gw.startWorker('w1'), gw.startWorker('w2')]);
  // Reconciliation re-enqueues a message whose job the failover lost, and the event relay publishes
  // an event the old master took in its last moment (its outbox row stays until a replica has it);
  // short periods for the test.
  await gw.startScheduler({
    OUTBOX_GRACE_MS: '2000',
    OUTBOX_RECONCILE_INTERVAL: '2000',
    EVENT_OUTBOX_GRACE_MS: '2000',
    EVENT_OUTBOX_INTERVAL: '1000',
  });
  receiver = await startReceiver();
}, 60_000);
afterAll(async () => {
  // The private servers go whatever else fails: a teardown that threw left them running before.
  try {
    await receiver?.stop();
    await gw?.close();
  } finally {
    await group?.close();
  }
});

/** Texts the contacts decrypted (own-device copies excluded): text → WhatsApp ids it came under. */
function delivered(prefix: string) {
  const byText = new Map<string, string[]>();
  for (const m of gw.sim.messaging.decrypted()) {
    if (m.ownDevice || !m.text?.startsWith(prefix)) continue;
    byText.set(m.text, [...(byText.get(m.text) ?? []), m.id]);
  }
  return byText;
}

describe('Redis Sentinel failover under load', () => {
  it('a bulk across the failover is delivered in full, each message once; webhooks and sends go on on the new master', async () => {
    const created = await api.call('POST', '/api/sessions', {
      name: 'sentinel',
      settings: { pacing: { perMinute: 60_000, minDelayMs: 0, maxDelayMs: 0 } },
    });
    expect(created.status).toBe(201);
    const { id: sessionId } = (await created.json()) as { id: string };
    await gw.pair(sessionId);
    const contacts = phones.map((phone) => gw.sim.messaging.addContact({ phone }));
    const hook = await api.call('POST', `/api/sessions/${sessionId}/webhooks`, {
      url: receiver.url,
      events: ['message.received'],
    });
    const { secret } = (await hook.json()) as { secret: string };

    const count = 300;
    const bulk = await api.call('POST', `/api/sessions/${sessionId}/messages/bulk`, {
      messages: Array.from({ length: count }, (_, i) => ({
        to: phones[i % phones.length],
        text: `sentinel-${i}`,
      })),
    });
    expect(bulk.status).toBe(202);
    await gw.waitFor(
      'a quarter delivered',
      async () => delivered('sentinel-').size >= count / 4 || undefined,
    );
    const failover = await group.failover();
    const switchedAt = Date.now();
    await gw.waitFor(
      `all ${count} delivered after the failover`,
      async () => delivered('sentinel-').size >= count || undefined,
      120_000,
    );
    const recoveredMs = Date.now() - switchedAt;
    let redelivered = 0;
    for (const [text, ids] of delivered('sentinel-')) {
      expect(new Set(ids).size, text).toBe(1);
      redelivered += ids.length - 1;
    }
    expect(redelivered).toBe(0);

    // On the new master: inbound messages stored and their webhooks delivered, signed, once each.
    const phone = await sessionPhone(gw, sessionId);
    await Promise.all(contacts.map((c, i) => c.sendText(phone, `after-failover-${i}`)));
    await gw.waitFor(
      'the inbound webhooks',
      async () =>
        receiver.events().filter((e) => e.event === 'message.received').length >= contacts.length ||
        undefined,
    );
    const hooks = receiver.requests.filter((r) => JSON.parse(r.body).event === 'message.received');
    expect(hooks).toHaveLength(contacts.length);
    for (const request of hooks) expect(verifyWebhook(secret, request.headers, request.body)).toBe(true);
    const health = (await (await api.call('GET', '/api/health')).json()) as { redis: string };
    expect(health.redis).toBe('connected');
    console.info(
      `sentinel e2e: master ${failover.from} → ${failover.to} in ${failover.ms} ms; all ${count} delivered ${recoveredMs} ms after, ${redelivered} redelivered`,
    );
  }, 180_000);
});
