import { createEvent, type GatewayEvent, redisKeys } from '@wagw/queue';
import { verifyWebhook, WEBHOOK_HEADERS } from '@wagw/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const EVENTS = 1000;

let gw: Gateway;
let r: Receiver;
beforeAll(async () => {
  // 20 ms per request and 5 in flight per endpoint (all workers together): the burst lasts ~4 s, long enough to
  // kill a worker in the middle of it.
  r = await startReceiver({ reply: () => ({ status: 200, delayMs: 20 }) });
  gw = await startGateway({
    workerEnv: {
      // The global webhook from configuration receives every event, including session-less ones.
      WEBHOOK_URL: r.url,
      WEBHOOK_SECRET: SECRET,
      // A killed worker's in-flight deliveries come back after 3 s, its unacknowledged events after 2 s.
      WEBHOOK_LOCK_DURATION: '3000',
      WEBHOOK_CLAIM_IDLE: '2000',
    },
  });
});
afterAll(async () => {
  await r?.stop();
  await gw?.close();
});

describe('webhook delivery across a worker crash', () => {
  it('kill -9 of a worker during a burst of 1,000 events: every event delivered, duplicates only with the same id', async () => {
    const w1 = await gw.startWorker('w1');
    await gw.startWorker('w2');

    const events: GatewayEvent[] = Array.from({ length: EVENTS }, (_, i) =>
      createEvent('session.status', null, { status: 'open', n: i }),
    );
    const pipeline = gw.redis.pipeline();
    for (const event of events)
      pipeline.xadd(redisKeys(gw.prefix).events, '*', 'event', JSON.stringify(event));
    await pipeline.exec();

    await gw.waitFor('a fifth of the burst delivered', async () => r.requests.length >= EVENTS / 5, 30_000);
    w1.kill('SIGKILL');
    const killedAt = r.requests.length;

    const received = () => new Set(r.requests.map((q) => q.headers[WEBHOOK_HEADERS.id] as string));
    await gw.waitFor('every event delivered', async () => received().size >= EVENTS, 90_000);

    expect(killedAt).toBeLessThan(EVENTS);
    expect(received()).toEqual(new Set(events.map((e) => e.id)));
    // A duplicate is the same event again: same id header, same body, valid signature.
    const bodies = new Map<string, string>();
    for (const q of r.requests) {
      const id = q.headers[WEBHOOK_HEADERS.id] as string;
      expect(JSON.parse(q.body).id).toBe(id);
      expect(verifyWebhook(SECRET, q.headers, q.body)).toBe(true);
      const first = bodies.get(id);
      if (first === undefined) bodies.set(id, q.body);
      else expect(q.body).toBe(first);
    }
    console.info(
      `[webhooks failover] ${EVENTS} events, killed w1 after ${killedAt} deliveries, ` +
        `${r.requests.length} requests (${r.requests.length - EVENTS} duplicates)`,
    );
    // Its waits allow 30 s + 90 s: the default 30 s test timeout cut it short in loaded CI runs
    // (twice at 30.0 s, while the burst was still being delivered).
  }, 180_000);
});
