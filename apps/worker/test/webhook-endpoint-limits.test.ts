import { createServer, type Server } from 'node:http';
import type { Webhook } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import {
  createConsumerConnection,
  createProducerConnection,
  QUEUES,
  WEBHOOK_JOB,
  waitUntilReady,
  webhookJobId,
} from '@wagw/queue';
import { freePort, redisUrl, uniquePrefix } from '@wagw/testing';
import { createNetworkPolicy } from '@wagw/webhooks';
import { Queue, Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEndpointGuards, type EndpointGuards } from '../src/webhooks/endpoint-guards.js';
import { createDeliveryProcessor } from '../src/webhooks/webhook-delivery.processor.js';
import type { WebhookTargets } from '../src/webhooks/webhook-targets.js';

/**
 * Several delivery workers (each its own BullMQ Worker, guards and Redis connections, as separate
 * processes would have) against one slow local receiver: the endpoint's concurrency and breaker
 * must hold in total, not once per worker.
 */
const prefix = uniquePrefix('endpoint-limits');
const admin = createProducerConnection(redisUrl());
const logger = createLogger({ name: 'endpoint-limits-test', level: 'silent', pretty: false });
const closers: Array<() => Promise<void>> = [];

/** A receiver that answers `status` after `delayMs` and records how many requests it held at once. */
async function startSlowReceiver(delayMs: number, status: number) {
  const port = await freePort();
  const seen = { total: 0, inFlight: 0, maxInFlight: 0 };
  const server: Server = createServer((req, res) => {
    seen.total += 1;
    seen.inFlight += 1;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    req.resume();
    setTimeout(() => {
      seen.inFlight -= 1;
      res.writeHead(status).end('x');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${port}/hook`, seen };
}

interface Settings {
  endpointConcurrency: number;
  workerConcurrency: number;
  threshold: number;
}

/** One delivery worker; `entered` counts the slots it was granted. */
async function startDeliveryWorker(hook: Webhook, settings: Settings) {
  const redis = createProducerConnection(redisUrl());
  const connection = createConsumerConnection(redisUrl());
  await waitUntilReady(redis);
  const guards: EndpointGuards = createEndpointGuards({
    redis,
    prefix,
    concurrency: settings.endpointConcurrency,
    breaker: { threshold: settings.threshold, resetMs: 60_000 },
    probeTtlMs: 10_000,
  });
  const stats = { entered: 0 };
  const processor = createDeliveryProcessor({
    targets: { get: async () => hook } as unknown as WebhookTargets,
    guards: {
      ...guards,
      enter: async (id, budget) => {
        const entry = await guards.enter(id, budget);
        if (entry.kind === 'granted') stats.entered += 1;
        return entry;
      },
    },
    repos: { deadLetters: { record: async () => ({}) } } as never,
    db: (fn) => fn(),
    redis,
    prefix,
    policy: createNetworkPolicy(['127.0.0.0/8']),
    timeoutMs: 5_000,
    logger,
  });
  const worker = new Worker(QUEUES.webhooks, processor, {
    connection,
    prefix,
    concurrency: settings.workerConcurrency,
  });
  worker.on('error', () => undefined);
  closers.push(async () => {
    await worker.close();
    guards.close();
    redis.disconnect();
    connection.disconnect();
  });
  return { guards, stats };
}

async function enqueue(hook: Webhook, count: number): Promise<Queue> {
  const queue = new Queue(QUEUES.webhooks, { connection: admin, prefix });
  closers.push(() => queue.close());
  const jobs = Array.from({ length: count }, (_, i) => {
    const eventId = `${hook.id}-e${i}`;
    const event = { id: eventId, event: 'message.received', sessionId: null, timestamp: '', data: {} };
    return {
      name: WEBHOOK_JOB,
      data: { eventId, webhookId: hook.id, event },
      opts: { jobId: webhookJobId(eventId, hook.id), attempts: 1 },
    };
  });
  await queue.addBulk(jobs);
  return queue;
}

function webhook(id: string, url: string): Webhook {
  const now = new Date();
  return {
    id,
    sessionId: null,
    url,
    events: ['*'],
    headers: {},
    secret: null,
    enabled: true,
    createdAt: now,
    updatedAt: now,
  };
}

async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(() => waitUntilReady(admin));
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
});

describe('per-endpoint limits across workers', () => {
  it('three workers never hold more than WEBHOOK_ENDPOINT_CONCURRENCY requests at the receiver', async () => {
    const receiver = await startSlowReceiver(150, 200);
    const hook = webhook('slow', receiver.url);
    const settings = { endpointConcurrency: 2, workerConcurrency: 10, threshold: 100 };
    const workers = await Promise.all([1, 2, 3].map(() => startDeliveryWorker(hook, settings)));
    const queue = await enqueue(hook, 30);
    await waitFor('30 deliveries', async () => (await queue.getJobCounts('completed')).completed === 30);
    console.info(
      `endpoint limits: 3 workers, WEBHOOK_ENDPOINT_CONCURRENCY=2: max ${receiver.seen.maxInFlight} concurrent requests, ${receiver.seen.total} requests`,
    );
    expect(receiver.seen.total).toBe(30);
    expect(receiver.seen.maxInFlight).toBeLessThanOrEqual(2);
    // More than one worker delivered: the limit held across them, not because one did it all.
    expect(workers.filter((w) => w.stats.entered > 0).length).toBeGreaterThan(1);
  });

  it('THRESHOLD failures seen by different workers open the breaker for all of them', async () => {
    // Slow enough that all three workers have taken a job before the first failure comes back.
    const receiver = await startSlowReceiver(1000, 500);
    const hook = webhook('dead', receiver.url);
    const settings = { endpointConcurrency: 3, workerConcurrency: 1, threshold: 3 };
    const workers = await Promise.all([1, 2, 3].map(() => startDeliveryWorker(hook, settings)));
    const queue = await enqueue(hook, 12);
    await waitFor('the breaker open for every worker', async () => {
      for (const w of workers) await w.guards.refresh();
      return workers.every((w) => w.guards.states()['webhook:dead'] === 'open');
    });
    // Deliveries that had started before it opened may still be on their way to the receiver.
    await waitFor(
      'the deliveries in flight finished',
      async () => receiver.seen.inFlight === 0 && (await queue.getJobCounts('active')).active === 0,
    );
    const atOpen = receiver.seen.total;
    // Long enough for every job left to be fetched and held back by the open breaker.
    await new Promise((r) => setTimeout(r, 1500));
    console.info(
      `endpoint breaker: 3 workers, THRESHOLD=3: ${receiver.seen.total} requests reached a dead receiver`,
    );
    expect(receiver.seen.total).toBe(atOpen);
    // THRESHOLD failures, plus at most the deliveries that had started before the last of them
    // came back (normally exactly 3; a breaker per worker let 3 per worker through: 9).
    expect(receiver.seen.total).toBeGreaterThanOrEqual(3);
    expect(receiver.seen.total).toBeLessThanOrEqual(3 + settings.endpointConcurrency - 1);
    // The failures were seen by more than one worker (normally one each).
    expect(workers.filter((w) => w.stats.entered > 0).length).toBeGreaterThan(1);
  });
});
