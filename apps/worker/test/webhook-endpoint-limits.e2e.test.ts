import { createEvent, redisKeys } from '@wagw/queue';
import { WEBHOOK_HEADERS } from '@wagw/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

const EVENTS = 60;
const DELAY_MS = 100;

let gw: Gateway;
let r: Receiver;
beforeAll(async () => {
  // Every request takes DELAY_MS at the receiver, so the requests it holds at one moment are those
  // that arrived within DELAY_MS before it.
  r = await startReceiver({ reply: () => ({ status: 200, delayMs: DELAY_MS }) });
  gw = await startGateway({ workerEnv: { WEBHOOK_URL: r.url, WEBHOOK_ENDPOINT_CONCURRENCY: '2' } });
});
afterAll(async () => {
  await r?.stop();
  await gw?.close();
});

/** The most requests the receiver held at once: for each arrival, those that came before it and were not answered yet. */
function maxConcurrent(arrivals: number[]): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0; i < sorted.length; i++) {
    let held = 1;
    for (let j = i - 1; j >= 0 && sorted[i]! - sorted[j]! < DELAY_MS; j--) held++;
    max = Math.max(max, held);
  }
  return max;
}

describe('per-endpoint concurrency with three worker processes', () => {
  it('WEBHOOK_ENDPOINT_CONCURRENCY=2 holds in total, not per worker', async () => {
    // One after another: three cold starts at once can outlast the harness' 20 s on a loaded machine.
    for (const id of ['w1', 'w2', 'w3']) await gw.startWorker(id);
    const pipeline = gw.redis.pipeline();
    for (let i = 0; i < EVENTS; i++) {
      const event = createEvent('session.status', null, { status: 'open', n: i });
      pipeline.xadd(redisKeys(gw.prefix).events, '*', 'event', JSON.stringify(event));
    }
    await pipeline.exec();
    const received = () => new Set(r.requests.map((q) => q.headers[WEBHOOK_HEADERS.id] as string));
    await gw.waitFor('every event delivered', async () => received().size >= EVENTS, 60_000);
    const max = maxConcurrent(r.requests.map((q) => q.at));
    console.info(
      `[endpoint limits e2e] 3 workers, WEBHOOK_ENDPOINT_CONCURRENCY=2: max ${max} concurrent requests`,
    );
    expect(max).toBeLessThanOrEqual(2);
  }, 120_000);
});
