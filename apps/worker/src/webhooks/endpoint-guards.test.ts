import { createProducerConnection, type RedisConnection, waitUntilReady } from '@wagw/queue';
import { redisUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createEndpointGuards,
  type EndpointGuardOptions,
  type EndpointGuards,
  type Entry,
} from './endpoint-guards.js';

// Each guard set has its own Redis connection: they stand for separate worker processes.
const prefix = uniquePrefix('endpoint-guards');
const admin = createProducerConnection(redisUrl());
const opened: Array<{ guards: EndpointGuards; redis: RedisConnection }> = [];
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function worker(options: Partial<EndpointGuardOptions> = {}): Promise<EndpointGuards> {
  const redis = createProducerConnection(redisUrl());
  await waitUntilReady(redis);
  const guards = createEndpointGuards({
    redis,
    prefix,
    concurrency: 2,
    breaker: { threshold: 3, resetMs: 60_000 },
    probeTtlMs: 10_000,
    ...options,
  });
  opened.push({ guards, redis });
  return guards;
}

let endpoint = 0;
const newEndpoint = () => `ep${++endpoint}`;

function granted(entry: Entry) {
  if (entry.kind !== 'granted') throw new Error(`expected a slot, got ${entry.kind}`);
  return entry;
}

beforeAll(() => waitUntilReady(admin));
afterEach(() => {
  for (const { guards, redis } of opened.splice(0)) {
    guards.close();
    redis.disconnect();
  }
});
afterAll(async () => {
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
});

describe('shared endpoint slots', () => {
  it('limits deliveries in flight per endpoint across workers, independently of other endpoints', async () => {
    const [a, b] = [await worker(), await worker()];
    const ep = newEndpoint();
    const first = granted(await a.enter(ep, 0));
    granted(await b.enter(ep, 0));
    // Budget 0: no waiting, so a full endpoint answers `busy` at once, whichever worker asks.
    expect((await a.enter(ep, 0)).kind).toBe('busy');
    expect((await b.enter(ep, 0)).kind).toBe('busy');
    expect((await b.enter(newEndpoint(), 0)).kind).toBe('granted');
    await first.leave('ok');
    expect((await b.enter(ep, 0)).kind).toBe('granted');
  });

  it('hands a slot freed by another worker to a waiter within the budget', async () => {
    const [a, b] = [await worker({ concurrency: 1 }), await worker({ concurrency: 1 })];
    const ep = newEndpoint();
    const held = granted(await a.enter(ep, 250));
    const waiting = b.enter(ep, 250);
    await pause(60);
    await held.leave('ok');
    const started = Date.now();
    granted(await waiting);
    // Seen by the waiter's next poll, not after the whole budget.
    expect(Date.now() - started).toBeLessThan(150);
  });

  it('hands a slot freed in this process to its waiters first come, first served', async () => {
    const a = await worker({ concurrency: 1 });
    const ep = newEndpoint();
    const first = granted(await a.enter(ep, 250));
    const order: string[] = [];
    const inOrder = (name: string) => (e: Entry) => {
      order.push(name);
      return granted(e);
    };
    const second = a.enter(ep, 250).then(inOrder('second'));
    const third = a.enter(ep, 250).then(inOrder('third'));
    await pause(10);
    await first.leave('ok');
    await (await second).leave('ok');
    await (await third).leave('ok');
    expect(order).toEqual(['second', 'third']);
  });

  it('gives up after twice the budget when no slot came', async () => {
    const [a, b] = [await worker({ concurrency: 1 }), await worker({ concurrency: 1 })];
    const ep = newEndpoint();
    granted(await a.enter(ep, 25));
    const started = Date.now();
    expect((await b.enter(ep, 25)).kind).toBe('busy');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('keeps a slot past its lease while the delivery runs (renewed), frees a killed holder’s after it', async () => {
    const ep = newEndpoint();
    const alive = await worker({ concurrency: 1, slotLeaseMs: 300 });
    const other = await worker({ concurrency: 1, slotLeaseMs: 300 });
    const long = granted(await alive.enter(ep, 0));
    await pause(1000);
    expect((await other.enter(ep, 0)).kind).toBe('busy');
    await long.leave('ok');

    const doomed = await worker({ concurrency: 1, slotLeaseMs: 300 });
    granted(await doomed.enter(ep, 0));
    // The holder "dies": its connection and process state go away without leaving.
    const gone = opened.pop();
    gone?.guards.close();
    gone?.redis.disconnect();
    const survivor = await worker({ concurrency: 1, slotLeaseMs: 300 });
    expect((await survivor.enter(ep, 0)).kind).toBe('busy');
    await pause(350);
    expect((await survivor.enter(ep, 0)).kind).toBe('granted');
  });
});

describe('shared endpoint breaker', () => {
  it('opens for every worker after THRESHOLD failures seen by different workers', async () => {
    const changes: string[] = [];
    const onBreakerChange = (state: string) => changes.push(state);
    const workers = [await worker({ onBreakerChange }), await worker(), await worker()];
    const ep = newEndpoint();
    for (const w of workers) await granted(await w.enter(ep, 0)).leave('fail');
    for (const w of workers) {
      const entry = await w.enter(ep, 0);
      expect(entry.kind).toBe('open');
      if (entry.kind === 'open') expect(entry.retryAfterMs).toBeGreaterThan(59_000);
    }
    // The worker that did not see the opening reads it from Redis for its stats.
    await workers[0]?.refresh();
    expect(workers[0]?.states()).toEqual({ [`webhook:${ep}`]: 'open' });
    expect(changes).toEqual(['open']);
  });

  it('a success in between resets the consecutive count, wherever it happened', async () => {
    const [a, b] = [await worker(), await worker()];
    const ep = newEndpoint();
    await granted(await a.enter(ep, 0)).leave('fail');
    await granted(await b.enter(ep, 0)).leave('fail');
    await granted(await b.enter(ep, 0)).leave('ok');
    await granted(await a.enter(ep, 0)).leave('fail');
    await granted(await a.enter(ep, 0)).leave('fail');
    expect((await b.enter(ep, 0)).kind).toBe('granted');
  });

  it('lets a single probe through after the reset time; its success closes it for all', async () => {
    const options = { breaker: { threshold: 1, resetMs: 150 } };
    const [a, b] = [await worker(options), await worker(options)];
    const ep = newEndpoint();
    await granted(await a.enter(ep, 0)).leave('fail');
    expect((await b.enter(ep, 0)).kind).toBe('open');
    await pause(200);
    const probe = granted(await b.enter(ep, 0));
    expect(probe.probe).toBe(true);
    // One probe in flight across workers: the others are held back meanwhile.
    expect(await a.enter(ep, 0)).toEqual({ kind: 'open', retryAfterMs: 0 });
    await probe.leave('ok');
    const after = granted(await a.enter(ep, 0));
    expect(after.probe).toBe(false);
    await b.refresh();
    expect(b.states()).toEqual({ [`webhook:${ep}`]: 'closed' });
  });

  it('a failed probe opens it again for the whole reset time', async () => {
    const options = { breaker: { threshold: 1, resetMs: 150 } };
    const [a, b] = [await worker(options), await worker(options)];
    const ep = newEndpoint();
    await granted(await a.enter(ep, 0)).leave('fail');
    await pause(200);
    await granted(await b.enter(ep, 0)).leave('fail');
    const entry = await a.enter(ep, 0);
    expect(entry.kind).toBe('open');
    if (entry.kind === 'open') expect(entry.retryAfterMs).toBeGreaterThan(100);
  });
});
