import { QUEUES, type RedisConnection } from '@wagw/queue';
import { Queue } from 'bullmq';

/**
 * The `webhooks` queue on the API's fail-fast producer connection, created on first use (a replay):
 * most API processes never replay anything, and building the app must not touch Redis.
 */
export function createWebhookQueue(connection: RedisConnection, prefix: string) {
  let queue: Queue | undefined;
  return {
    get(): Queue {
      if (!queue) {
        queue = new Queue(QUEUES.webhooks, { connection, prefix });
        // Without a listener an 'error' event would crash the process; the failing call rejects anyway.
        queue.on('error', () => undefined);
      }
      return queue;
    },
    async close(): Promise<void> {
      const open = queue;
      queue = undefined;
      await open?.close().catch(() => undefined);
    },
  };
}
