import { type RedisCluster, startRedisCluster } from '@wagw/testing';
import { verifyWebhook } from '@wagw/webhooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway, stopProcess } from './harness.js';
import { sessionPhone } from './messaging-fixtures.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

// Every process (API, two workers, scheduler) reaches Redis through a `redis+cluster://` REDIS_URL
// naming three masters on loopback; the harness gives them a hash-tagged QUEUE_PREFIX.
const LEASE_TTL_MS = 2000;
let cluster: RedisCluster;
let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let receiver: Receiver;

beforeAll(async () => {
  cluster = await startRedisCluster();
  gw = await startGateway({ redisUrl: cluster.url, workerEnv: { LEASE_TTL: String(LEASE_TTL_MS) } });
  api = await gw.startApi();
  await Promise.all([gw.startWorker('w1'), gw.startWorker('w2'), gw.startScheduler()]);
  receiver = await startReceiver();
}, 60_000);
afterAll(async () => {
  // The private servers go whatever else fails: a teardown that threw left them running before.
  try {
    await receiver?.stop();
    await gw?.close();
  } finally {
    await cluster?.close();
  }
});

/** Sends a text through the API and resolves once the simulated peer has decrypted it. */
async function sendAndSee(sessionId: string, to: string, text: string) {
  const res = await api.call('POST', `/api/sessions/${sessionId}/messages`, { to, type: 'text', text });
  expect(res.status, await res.clone().text()).toBe(202);
  return gw.sim.messaging.waitForMessage((m) => !m.ownDevice && m.text === text, 20_000);
}

/** How many keys under the gateway's prefix each master holds (SCAN on each, by port). */
async function keysPerMaster(): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const port of cluster.ports) {
    const node = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
    try {
      await node.connect();
      let [cursor, n] = ['0', 0];
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', `${gw.prefix}:*`, 'COUNT', 1000);
        [cursor, n] = [next, n + batch.length];
      } while (cursor !== '0');
      if (n > 0) counts.set(port, n);
    } finally {
      node.disconnect();
    }
  }
  return counts;
}

describe('the gateway on a Redis Cluster', () => {
  it('sends, delivers inbound webhooks, and fails a session over to another worker after kill -9', async () => {
    const created = await api.call('POST', '/api/sessions', { name: 'cluster' });
    expect(created.status).toBe(201);
    const { id: sessionId } = (await created.json()) as { id: string };
    await gw.pair(sessionId);
    const bob = gw.sim.messaging.addContact({ phone: '15550001111' });
    const to = '+15550001111';

    // Send path: API → BullMQ send queue → the owning worker → the peer.
    await sendAndSee(sessionId, to, 'hello over the cluster');

    // Webhook path: the peer's message → event stream → dispatcher → the receiver, signed.
    const hook = await api.call('POST', `/api/sessions/${sessionId}/webhooks`, {
      url: receiver.url,
      events: ['message.received'],
    });
    expect(hook.status).toBe(201);
    const { secret } = (await hook.json()) as { secret: string };
    await bob.sendText(await sessionPhone(gw, sessionId), 'hello back');
    const request = await gw.waitFor('the inbound webhook', async () =>
      receiver.requests.find((r) => JSON.parse(r.body).data?.payload?.text === 'hello back'),
    );
    expect(verifyWebhook(secret, request.headers, request.body)).toBe(true);

    // Failover: the owner dies without a word; the other worker takes the lease and reconnects.
    const owner = await gw.waitFor('an owner', () => gw.ownerOf(sessionId).then((o) => o ?? undefined));
    // The other worker, or any of the others when the suite runs with more (E2E_WORKERS).
    const survivors = gw.workerIds().filter((id) => id !== owner);
    const killedAt = Date.now();
    expect((await stopProcess(gw.workers.get(owner)!, 'SIGKILL')).code).toBeNull();
    await gw.waitFor(
      `the session open on one of ${survivors.join(', ')}`,
      async () =>
        survivors.includes((await gw.ownerOf(sessionId)) ?? '') &&
        (await gw.db.repos.sessions.getById(sessionId))?.status === 'open',
      30_000,
    );
    const failoverMs = Date.now() - killedAt;
    await sendAndSee(sessionId, to, 'after the failover');
    expect(gw.sim.counters.maxConcurrentPerCompanion).toBe(1);

    // Health reads heartbeats and queues by SCAN: it sees the survivor and misses the dead worker.
    const health = (await (await api.call('GET', '/api/health')).json()) as {
      redis: string;
      workers: Array<{ instanceId: string }>;
      missingWorkers: string[];
    };
    expect(health.redis).toBe('connected');
    expect(health.workers.map((w) => w.instanceId).sort()).toEqual(survivors.sort());
    expect(health.missingWorkers).toEqual([owner]);

    // The hash tag kept every key of the deployment on one master, though the cluster has three.
    const perMaster = await keysPerMaster();
    expect(perMaster.size).toBe(1);
    console.info(
      `cluster e2e: failover ${owner} → ${await gw.ownerOf(sessionId)} in ${failoverMs} ms (lease TTL ${LEASE_TTL_MS} ms); ${[...perMaster.values()][0]} keys on master ${[...perMaster.keys()][0]}`,
    );
  }, 60_000);
});
