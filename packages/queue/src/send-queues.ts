import { Queue } from 'bullmq';
import type { RedisConnection } from './connections.js';
import { sendQueueName } from './names.js';

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
      const name = sendQueueName(sessionId);
      let queue = queues.get(name);
      if (!queue) {
        queue = new Queue(name, { connection, prefix });
        // Without a listener an 'error' event would crash the process; the failing call rejects anyway.
        queue.on('error', () => undefined);
        queues.set(name, queue);
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
