import { type RedisConnection, scanKeys } from './connections.js';
import { isSendQueue, SEND_QUEUE_PREFIX, sendQueueName } from './names.js';

export interface QueueDepths {
  /** Jobs ready to run (BullMQ `wait` plus `prioritized`). */
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Kept completed jobs (bounded by removeOnComplete, so a window, not a total). */
  completed: number;
}

const EMPTY_DEPTHS: QueueDepths = { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 };

/**
 * Depths of many queues in one pipelined round trip. It reads BullMQ's keys directly
 * (`<prefix>:<queue>:wait|prioritized|active` …) because the per-session send family can hold
 * thousands of queues and a BullMQ `Queue` object per queue per scrape is far heavier. The layout
 * is BullMQ's (6.x); `queue-depths.test.ts` compares the result with `Queue.getJobCounts()` so an
 * upgrade that changes it fails a test instead of silently reporting zeros.
 */
export async function readQueueDepths(
  redis: RedisConnection,
  prefix: string,
  queueNames: readonly string[],
): Promise<Record<string, QueueDepths>> {
  if (queueNames.length === 0) return {};
  const pipeline = redis.pipeline();
  for (const name of queueNames) {
    const base = `${prefix}:${name}:`;
    pipeline
      .llen(`${base}wait`)
      .zcard(`${base}prioritized`)
      .llen(`${base}active`)
      .zcard(`${base}delayed`)
      .zcard(`${base}failed`)
      .zcard(`${base}completed`);
  }
  const results = (await pipeline.exec()) ?? [];
  const counts = results.map(([err, value]) => {
    if (err) throw err;
    return Number(value) || 0;
  });
  const out: Record<string, QueueDepths> = {};
  queueNames.forEach((name, i) => {
    const at = (k: number) => counts[i * 6 + k] ?? 0;
    out[name] = { waiting: at(0) + at(1), active: at(2), delayed: at(3), failed: at(4), completed: at(5) };
  });
  return out;
}

/**
 * Which of these sessions' send queues hold jobs a consumer must see to: waiting, prioritized,
 * delayed (a consumer promotes them when due) or active (a dead consumer's job, which a live one's
 * stall check takes back). One pipelined round trip, as `readQueueDepths`.
 */
export async function sendQueuesWithWork(
  redis: RedisConnection,
  prefix: string,
  sessionIds: readonly string[],
): Promise<Set<string>> {
  const busy = new Set<string>();
  if (sessionIds.length === 0) return busy;
  const pipeline = redis.pipeline();
  for (const sessionId of sessionIds) {
    const base = `${prefix}:${sendQueueName(sessionId)}:`;
    pipeline.llen(`${base}wait`).zcard(`${base}prioritized`).llen(`${base}active`).zcard(`${base}delayed`);
  }
  const results = (await pipeline.exec()) ?? [];
  sessionIds.forEach((sessionId, i) => {
    for (let k = 0; k < 4; k++) {
      const [err, value] = results[i * 4 + k] ?? [null, 0];
      if (err) throw err;
      if (Number(value) > 0) {
        busy.add(sessionId);
        return;
      }
    }
  });
  return busy;
}

/**
 * Names of the per-session send queues that exist under `prefix`, found by their `meta` hash
 * (BullMQ writes it when a producer or consumer first opens the queue). SCAN, so Redis never
 * blocks however many keys there are.
 */
export async function listSendQueues(redis: RedisConnection, prefix: string): Promise<string[]> {
  const names = new Set<string>();
  const pattern = `${prefix}:${SEND_QUEUE_PREFIX}*:meta`;
  for await (const keys of scanKeys(redis, pattern, 1000)) {
    for (const key of keys) {
      const name = key.slice(prefix.length + 1, -':meta'.length);
      if (isSendQueue(name) && !name.includes(':')) names.add(name);
    }
  }
  return [...names].sort();
}

/** Adds up depths (the send family is reported as one total). */
export function sumDepths(depths: Iterable<QueueDepths>): QueueDepths {
  const total = { ...EMPTY_DEPTHS };
  for (const d of depths) {
    total.waiting += d.waiting;
    total.active += d.active;
    total.delayed += d.delayed;
    total.failed += d.failed;
    total.completed += d.completed;
  }
  return total;
}
