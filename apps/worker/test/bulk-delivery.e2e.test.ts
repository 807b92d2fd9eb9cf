import { redisKeys, waMessageIdFor } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway, stopProcess } from './harness.js';

const CONTACTS = 50;
const BULK = Number(process.env.BULK_MESSAGES ?? 5000);
// The kill and flush scenarios need a send in flight when the fault hits and enough left after it
// to prove recovery (two thirds); 600 gives 400 after the fault, and keeps this file's share of the
// suite down (they were 1,500 each: about a minute more of the suite's two cores).
const FAULT_BULK = Math.min(600, BULK);

let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let sessionId: string;
const phones = Array.from({ length: CONTACTS }, (_, i) => `1777000${String(i).padStart(4, '0')}`);

beforeAll(async () => {
  gw = await startGateway({ sim: { transcriptLimit: 1000 }, workerEnv: { LEASE_TTL: '10000' } });
  api = await gw.startApi();
  await gw.startWorker('bulk-a');
  // Pacing out of the way for throughput (the pacing test covers the limiter): 60,000/min, no jitter.
  const created = await api.call('POST', '/api/sessions', {
    name: 'bulk',
    settings: { pacing: { perMinute: 60_000, minDelayMs: 0, maxDelayMs: 0 } },
  });
  sessionId = ((await created.json()) as { id: string }).id;
  await gw.pair(sessionId);
  for (const phone of phones) gw.sim.messaging.addContact({ phone });
}, 60_000);
afterAll(() => gw.close());

/** Texts each contact decrypted (own-device copies excluded), keyed by text, with how many per tag. */
const byText = new Map<string, string[]>();
const perTag = new Map<string, number>();
let scanned = 0;

/**
 * The index above, brought up to date. The simulator's log only grows, so each call reads only what
 * arrived since the last: the waits poll this every 100 ms while thousands of messages arrive, and
 * rebuilding it whole each time cost this file ~7 s of CPU.
 */
function delivered() {
  const log = gw.sim.messaging.decrypted();
  for (; scanned < log.length; scanned++) {
    const m = log[scanned]!;
    if (m.ownDevice || !m.text) continue;
    const ids = byText.get(m.text);
    if (ids) ids.push(m.id);
    else {
      byText.set(m.text, [m.id]);
      const tag = m.text.slice(0, m.text.lastIndexOf('-'));
      perTag.set(tag, (perTag.get(tag) ?? 0) + 1);
    }
  }
  return byText;
}

/** Distinct texts of `tag` (`<tag>-<n>`) delivered so far. */
function deliveredOf(tag: string): number {
  delivered();
  return perTag.get(tag) ?? 0;
}

async function sendBulk(tag: string, count: number) {
  const messages = Array.from({ length: count }, (_, i) => ({
    to: phones[i % CONTACTS],
    type: 'text',
    text: `${tag}-${i}`,
  }));
  const res = await api.call('POST', `/api/sessions/${sessionId}/messages/bulk`, { messages });
  expect(res.status).toBe(202);
  return ((await res.json()) as { batchId: string }).batchId;
}

/**
 * Deadlines here are generous on purpose: alone the 5,000 arrive in about 50 s, but in the full
 * suite on 2 cores this file once took 514 s in all. Speed is the benchmarks' business (bench/).
 */
async function waitDelivered(tag: string, count: number, timeoutMs: number) {
  let got = 0;
  return gw.waitFor(
    `${count} ${tag} messages at the peers`,
    async () => {
      got = deliveredOf(tag);
      return got >= count ? got : undefined;
    },
    timeoutMs,
    () => `${got} arrived`,
  );
}

/** Waits until no message of the batch is still queued or being sent. */
async function waitBatchSettled(batchId: string) {
  await gw.waitFor(
    'batch settled',
    async () => {
      const res = (await (await api.call('GET', `/api/batches/${batchId}`)).json()) as {
        counts: Record<string, number>;
      };
      return (res.counts.queued ?? 0) + (res.counts.sending ?? 0) === 0;
    },
    60_000,
  );
}

/** Every text arrived, each under the WhatsApp id derived from its wagw id, duplicates <= allowed. */
async function expectExactlyOnce(batchId: string, tag: string, count: number, allowedRedeliveries: number) {
  const texts = delivered();
  let redelivered = 0;
  for (let i = 0; i < count; i++) {
    const ids = texts.get(`${tag}-${i}`);
    expect(ids, `${tag}-${i} delivered`).toBeDefined();
    expect(new Set(ids).size, `${tag}-${i} arrived under one WhatsApp id`).toBe(1);
    redelivered += (ids?.length ?? 1) - 1;
  }
  expect(redelivered).toBeLessThanOrEqual(allowedRedeliveries);
  const batch = (await (await api.call('GET', `/api/batches/${batchId}`)).json()) as {
    total: number;
    counts: Record<string, number>;
  };
  expect(batch.total).toBe(count);
  const done = (batch.counts.sent ?? 0) + (batch.counts.delivered ?? 0) + (batch.counts.read ?? 0);
  expect(done).toBe(count);
  return redelivered;
}

/** The `batch.completed` event of a batch on the event stream (its id is derived from the batch). */
async function batchCompletedEvent(batchId: string) {
  return gw.waitFor('batch.completed on the event stream', async () => {
    const entries = await gw.redis.xrevrange(redisKeys(gw.prefix).events, '+', '-', 'COUNT', 20_000);
    const found = entries
      .map(([, fields]) => JSON.parse(fields[1] ?? '{}'))
      .find((event) => event.id === `batch.${batchId}.completed`);
    return found as { event: string; data: { batchId: string; total: number } } | undefined;
  });
}

describe('one message through the API', () => {
  it('a text is decrypted by the peer with the exact text and reaches `read`; an error ack fails it with the reason', async () => {
    gw.sim.messaging.autoReceipts = 'read';
    const text = 'hello from the API — exact text, 🚀';
    const res = await api.call('POST', `/api/sessions/${sessionId}/messages`, {
      to: `+${phones[0]}`,
      type: 'text',
      text,
    });
    expect(res.status).toBe(202);
    const { id, statusUrl } = (await res.json()) as { id: string; statusUrl: string };
    const seen = await gw.sim.messaging.waitForMessage((m) => !m.ownDevice && m.text === text, 20_000);
    expect(seen.id).toBe(waMessageIdFor(id));
    await gw.waitFor('status read through the API', async () => {
      const view = (await (await api.call('GET', statusUrl)).json()) as { status: string };
      return view.status === 'read' ? view : undefined;
    });
    gw.sim.messaging.autoReceipts = 'off';

    gw.sim.messaging.failNextAck(463);
    const failing = await api.call('POST', `/api/sessions/${sessionId}/messages`, {
      to: phones[1],
      type: 'text',
      text: 'restricted',
    });
    const failingId = ((await failing.json()) as { id: string }).id;
    const failed = await gw.waitFor('status failed', async () => {
      const view = (await (await api.call('GET', `/api/messages/${failingId}`)).json()) as {
        status: string;
        statusReason: string | null;
      };
      return view.status === 'failed' ? view : undefined;
    });
    expect(failed.statusReason).toMatch(/463/);
  }, 60_000);
});

describe('bulk delivery through the API, workers and the simulator', () => {
  it(`a bulk of ${BULK} messages to ${CONTACTS} contacts: every message delivered exactly once`, async () => {
    const started = Date.now();
    const batchId = await sendBulk('bulk', BULK);
    await waitDelivered('bulk', BULK, 600_000);
    console.info(`${BULK} messages delivered in ${Date.now() - started} ms`);
    await waitBatchSettled(batchId);
    expect(await expectExactlyOnce(batchId, 'bulk', BULK, 0)).toBe(0);
    // The WhatsApp id is the one derived from the wagw id (exactly-once effect across retries).
    const sample = (await gw.db.repos.messages.listBySession({ sessionId, limit: 5 })).items;
    for (const row of sample) expect(row.waMessageId).toBe(waMessageIdFor(row.id));
    expect(gw.sim.messaging.duplicates()).toEqual([]);
    expect(await batchCompletedEvent(batchId)).toMatchObject({
      event: 'batch.completed',
      data: { batchId, total: BULK },
    });
  }, 720_000);

  it('kill -9 of the owning worker in the middle of a bulk: all delivered, redeliveries <= kills', async () => {
    await gw.startWorker('bulk-b');
    const count = FAULT_BULK;
    const batchId = await sendBulk('kill', count);
    await gw.waitFor('a third delivered', async () => deliveredOf('kill') >= count / 3, 120_000);
    const owner = (await gw.ownerOf(sessionId))!;
    await stopProcess(gw.workers.get(owner)!, 'SIGKILL');
    await waitDelivered('kill', count, 400_000);
    await waitBatchSettled(batchId);
    await expectExactlyOnce(batchId, 'kill', count, 1);
  }, 600_000);

  it('Redis loses all its data in the middle of a bulk: every accepted message still delivered', async () => {
    await gw.startScheduler({ OUTBOX_GRACE_MS: '2000', OUTBOX_RECONCILE_INTERVAL: '1000' });
    const count = FAULT_BULK;
    const batchId = await sendBulk('flush', count);
    await gw.waitFor('a third delivered', async () => deliveredOf('flush') >= count / 3, 120_000);
    // Everything this deployment had in Redis is gone (queues, jobs, leases, heartbeats), as after
    // FLUSHALL or a restart without persistence; other test files share this Redis, so only our prefix.
    const keys = await gw.redis.keys(`${gw.prefix}:*`);
    await gw.redis.del(...keys);
    await waitDelivered('flush', count, 400_000).catch(async (err) => {
      const session = await gw.db.repos.sessions.getById(sessionId);
      const batch = await (await api.call('GET', `/api/batches/${batchId}`)).json();
      console.error('flush diagnosis', { session, owner: await gw.ownerOf(sessionId), batch });
      throw err;
    });
    await waitBatchSettled(batchId);
    await expectExactlyOnce(batchId, 'flush', count, 1);
  }, 600_000);
});
