import type { Webhook } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import {
  createConsumerConnection,
  createEvent,
  createProducerConnection,
  type GatewayEvent,
  publishEvent,
  QUEUES,
  waitUntilReady,
  webhookJobId,
} from '@wagw/queue';
import { redisUrl, uniquePrefix } from '@wagw/testing';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startEventDispatcher } from '../src/webhooks/event-dispatcher.js';
import type { WebhookTargets } from '../src/webhooks/webhook-targets.js';

/**
 * The dispatcher against the real Redis: events published one at a time, as a sending session
 * publishes its statuses, become one webhook job each, and are read in batches rather than one
 * read (and version check, and XACK) per event.
 */
const prefix = uniquePrefix('event-dispatcher');
const admin = createProducerConnection(redisUrl());
const logger = createLogger({ name: 'event-dispatcher-test', level: 'silent', pretty: false });
const hook = { id: 'hook-1' } as Webhook;

afterAll(async () => {
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
});

async function run(lingerMs: number, tag: string) {
  const connection = createConsumerConnection(redisUrl());
  const producer = createProducerConnection(redisUrl());
  await Promise.all([waitUntilReady(connection), waitUntilReady(producer)]);
  const queue = new Queue(QUEUES.webhooks, { connection: producer, prefix: `${prefix}:${tag}` });
  let resolves = 0;
  const targets = {
    async resolve(events: readonly GatewayEvent[]) {
      resolves += 1;
      return events.map(() => [hook]);
    },
  } as unknown as WebhookTargets;
  const dispatcher = startEventDispatcher({
    connection,
    prefix: `${prefix}:${tag}`,
    consumer: 'worker-a',
    queue,
    targets,
    retry: { maxAttempts: 3, backoffMs: 1000 },
    claimIdleMs: 30_000,
    logger,
    lingerMs,
  });
  // Let the group be created before the first event (it starts at '$').
  await vi.waitFor(async () => expect(await admin.exists(`${prefix}:${tag}:events`)).toBe(1));
  const events: GatewayEvent[] = [];
  for (let i = 0; i < 200; i++) {
    const event = createEvent('message.status', 's1', { i });
    events.push(event);
    await publishEvent(producer, `${prefix}:${tag}`, event);
    if (i % 4 === 3) await new Promise((r) => setTimeout(r, 1));
  }
  await vi.waitFor(async () => expect(await queue.count()).toBe(events.length), { timeout: 10_000 });
  const jobIds = (await queue.getJobs(['waiting'], 0, -1)).map((job) => job.id).sort();
  await dispatcher.stop();
  await queue.close();
  connection.disconnect();
  producer.disconnect();
  return { resolves, jobIds, expected: events.map((e) => webhookJobId(e.id, hook.id)).sort() };
}

describe('event dispatcher', () => {
  it('turns 200 events published one at a time into one job each, read in batches', async () => {
    // 50 ms rather than the default 10 so the bound below holds on a loaded machine too: without
    // a linger the same stream is read about once per two events (~100 reads, measured).
    const { resolves, jobIds, expected } = await run(50, 'linger');
    expect(jobIds).toEqual(expected);
    expect(resolves).toBeLessThan(40);
  });
});
