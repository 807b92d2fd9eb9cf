import { Queue } from 'bullmq';
import type { RedisConnection } from './connections.js';
import { redisKeys } from './keys.js';
import { sendQueueName } from './names.js';

/**
 * Tells the session's owner that its send queue has new jobs (see `sendWakeChannel`). Best effort:
 * a lost wake is found by the owner's periodic look at its queues, only later.
 */
async function wakeSendQueue(redis: RedisConnection, prefix: string, sessionId: string): Promise<void> {
  await redis.publish(redisKeys(prefix).sendWakeChannel, sessionId).catch(() => undefined);
}

/**
 * A send queue whose every add wakes the session's consumer. Workers start a session's BullMQ
 * consumer only while its queue has work (an idle consumer holds a blocking Redis connection and
 * its scripts: ~110 KiB of heap per session), so whoever adds a job says so. BullMQ's `add` goes
 * through `addJob`; `addBulk` does not, hence both.
 */
class WakingSendQueue extends Queue {
  constructor(
    private readonly sessionId: string,
    private readonly wakeConnection: RedisConnection,
    private readonly wakePrefix: string,
  ) {
    super(sendQueueName(sessionId), { connection: wakeConnection, prefix: wakePrefix });
  }

  override async addJob(...args: Parameters<Queue['addJob']>): ReturnType<Queue['addJob']> {
    const job = await super.addJob(...args);
    await wakeSendQueue(this.wakeConnection, this.wakePrefix, this.sessionId);
    return job;
  }

  override async addBulk(jobs: Parameters<Queue['addBulk']>[0]): ReturnType<Queue['addBulk']> {
    const added = await super.addBulk(jobs);
    await wakeSendQueue(this.wakeConnection, this.wakePrefix, this.sessionId);
    return added;
  }
}

/** One session's send queue: every job added wakes the session's consumer on its owning worker. */
export function openSendQueue(connection: RedisConnection, prefix: string, sessionId: string): Queue {
  const queue = new WakingSendQueue(sessionId, connection, prefix);
  // Without a listener an 'error' event would crash the process; the failing call rejects anyway.
  queue.on('error', () => undefined);
  return queue;
}

/**
 * BullMQ Queue objects for the per-session send queues, one per queue name, created on first use
 * and closed together. A Queue is cheap but not free (it loads scripts and writes the queue's
 * meta), so a run touching many messages of one session reuses one object.
 * The connection is shared and stays open: closing a Queue never closes a connection it was given.
 */
export function createSendQueues(connection: RedisConnection, prefix: string) {
  const queues = new Map<string, Queue>();
  return {
    get(sessionId: string): Queue {
      let queue = queues.get(sessionId);
      if (!queue) {
        queue = openSendQueue(connection, prefix, sessionId);
        queues.set(sessionId, queue);
      }
      return queue;
    },
    async close(): Promise<void> {
      const all = [...queues.values()];
      queues.clear();
      await Promise.all(all.map((queue) => queue.close().catch(() => undefined)));
    },
  };
}

export type SendQueues = ReturnType<typeof createSendQueues>;
