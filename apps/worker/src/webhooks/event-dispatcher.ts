import type { Logger } from '@wagw/logger';
import {
  enqueueBulk,
  type GatewayEvent,
  type RedisConnection,
  redisKeys,
  WEBHOOK_DISPATCH_GROUP,
  WEBHOOK_JOB,
  type WebhookRetryPolicy,
  webhookDeliveryJob,
  webhookJobId,
  webhookJobOptions,
} from '@wagw/queue';
import type { Queue } from 'bullmq';
import type { WebhookTargets } from './webhook-targets.js';

const DISPATCH_GROUP = WEBHOOK_DISPATCH_GROUP;

export interface EventDispatcherDeps {
  /** A dedicated consumer-profile connection: XREADGROUP BLOCK holds it. */
  connection: RedisConnection;
  prefix: string;
  /** This process's name in the group (the instance id). */
  consumer: string;
  /** The `webhooks` queue (producer connection: a failed enqueue leaves the event pending, to retry). */
  queue: Queue;
  targets: WebhookTargets;
  retry: WebhookRetryPolicy;
  /** Entries another consumer read but did not acknowledge for this long are taken over, in ms. */
  claimIdleMs: number;
  logger: Logger;
  /** How long one read blocks; bounds how long `stop()` waits. Default 1000 ms. */
  blockMs?: number;
  /** Entries per read. Default 100. */
  batchSize?: number;
  /**
   * After a read that came back with less than a full batch, how long events gather before the
   * next read, in ms. Default 10 (DISPATCH_LINGER_MS).
   */
  lingerMs?: number;
}

/**
 * Events come one at a time (a status per message sent), so without a pause every read returns
 * one or two of them and each pays its own read, webhook-version check and XACK: three round
 * trips per event, 10 % of a worker's CPU while it sent 250 messages/s (bench:delivery profile).
 * Gathering for 10 ms makes those round trips per batch; the first event after a quiet spell is
 * still dispatched at once (the blocking read returns on it), later ones wait at most 10 ms.
 */
const DISPATCH_LINGER_MS = 10;

type Entry = [id: string, fields: string[] | null];

/**
 * Turns every event on the shared stream into one webhook job per matching endpoint, at least once.
 * The stream is the durable record: an event is acknowledged in the consumer group only after its
 * jobs are in the queue, so a worker killed in between leaves it pending, and another worker claims
 * it after `claimIdleMs` (XAUTOCLAIM). Jobs carry the id `webhookJobId(event, endpoint)`, which makes
 * a second fan-out of the same event a no-op while the first job is kept.
 */
export function startEventDispatcher(deps: EventDispatcherDeps) {
  const { connection: redis, logger } = deps;
  const key = redisKeys(deps.prefix).events;
  const blockMs = deps.blockMs ?? 1000;
  const count = deps.batchSize ?? 100;
  const lingerMs = deps.lingerMs ?? DISPATCH_LINGER_MS;
  let running = true;
  // After a failure, re-read our own pending entries ('0') before taking new ones ('>').
  let backlog = true;
  let lastClaimAt = 0;
  let failures = 0;

  async function ensureGroup(startId: '$' | '0'): Promise<void> {
    try {
      await redis.xgroup('CREATE', key, DISPATCH_GROUP, startId, 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  async function read(id: '>' | '0'): Promise<Entry[]> {
    const args = ['COUNT', count, ...(id === '>' ? ['BLOCK', blockMs] : []), 'STREAMS', key, id];
    // ioredis' overloads cannot express optional BLOCK; the reply is [[key, entries]] or null.
    const xreadgroup = redis.xreadgroup.bind(redis) as unknown as (
      ...a: Array<string | number>
    ) => Promise<unknown>;
    const result = (await xreadgroup('GROUP', DISPATCH_GROUP, deps.consumer, ...args)) as Array<
      [string, Entry[]]
    > | null;
    return result?.[0]?.[1] ?? [];
  }

  /** Takes over entries that a dead (or stuck) consumer read long ago and never acknowledged. */
  async function claimStale(): Promise<Entry[]> {
    const [, entries, deleted] = (await redis.xautoclaim(
      key,
      DISPATCH_GROUP,
      deps.consumer,
      deps.claimIdleMs,
      '0-0',
      'COUNT',
      count,
    )) as [string, Entry[], string[] | undefined];
    if (deleted?.length) {
      // Trimmed from the stream (MAXLEN) before anyone dispatched them: nothing left to deliver.
      logger.error({ count: deleted.length }, 'events were trimmed from the stream before dispatch');
      await redis.xack(key, DISPATCH_GROUP, ...deleted);
    }
    return entries;
  }

  async function dispatch(entries: Entry[]): Promise<void> {
    const parsed: Array<{ id: string; event: GatewayEvent | null }> = entries.map(([id, fields]) => ({
      id,
      event: parseEvent(fields),
    }));
    const events = parsed.flatMap((p) => (p.event ? [p.event] : []));
    const targets = await deps.targets.resolve(events);
    const jobs = events.flatMap((event, i) =>
      (targets[i] ?? []).map((hook) => ({
        name: WEBHOOK_JOB,
        data: { eventId: event.id, webhookId: hook.id, event },
        options: { ...webhookJobOptions(deps.retry), jobId: webhookJobId(event.id, hook.id) },
      })),
    );
    if (jobs.length > 0) await enqueueBulk(deps.queue, webhookDeliveryJob, jobs);
    await redis.xack(key, DISPATCH_GROUP, ...parsed.map((p) => p.id));
  }

  async function step(): Promise<void> {
    let entries: Entry[];
    if (Date.now() - lastClaimAt >= Math.max(100, deps.claimIdleMs / 2)) {
      lastClaimAt = Date.now();
      entries = await claimStale();
      if (entries.length > 0) return dispatch(entries);
    }
    entries = await read(backlog ? '0' : '>');
    if (backlog && entries.length === 0) backlog = false;
    if (entries.length === 0) return;
    await dispatch(entries);
    if (entries.length < count && lingerMs > 0 && running) await sleep(lingerMs);
  }

  async function loop(): Promise<void> {
    await ensureGroup('$');
    while (running) {
      try {
        await step();
        failures = 0;
      } catch (err) {
        if (!running) break;
        if (String((err as Error).message).includes('NOGROUP')) {
          // The stream (and its group) vanished with Redis' data: everything in a new stream is new.
          logger.warn('event stream group missing; recreating it');
          await ensureGroup('0').catch(() => undefined);
        } else {
          logger.warn({ err }, 'webhook dispatch failed; retrying');
        }
        backlog = true;
        failures += 1;
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  const done = loop().catch((err) => logger.error({ err }, 'webhook dispatcher stopped'));

  return {
    /** Stops after the read in hand (at most `blockMs`); unacknowledged events stay pending for others. */
    async stop(): Promise<void> {
      running = false;
      await done;
    },
  };
}

function parseEvent(fields: string[] | null): GatewayEvent | null {
  const json = fields?.[1];
  if (!json) return null;
  try {
    const event = JSON.parse(json) as GatewayEvent;
    return typeof event?.id === 'string' && typeof event.event === 'string' ? event : null;
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
