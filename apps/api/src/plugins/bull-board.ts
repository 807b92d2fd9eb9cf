import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { QUEUES, type RedisConnection, scanKeys } from '@wagw/queue';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';

/** Where the board is mounted; the auth hook accepts HTTP Basic credentials under it. */
export const BULL_BOARD_PATH = '/admin/queues';

export interface BullBoardOptions {
  /** The producer connection; the board's Queue objects share it (they never block on Redis). */
  redis: RedisConnection;
  /** BullMQ prefix (QUEUE_PREFIX): queues live at `<prefix>:<queue>:...`. */
  prefix: string;
  /** No retry/promote/clean/remove buttons unless false (BULL_BOARD_READ_ONLY). Default true. */
  readOnly?: boolean;
  /** Queues are re-discovered when the board is used and the last scan is older. Default 5000 ms. */
  refreshIntervalMs?: number;
}

/** BullMQ's per-queue meta hash: `<prefix>:<queue>:meta`, written by every Queue on creation. */
function queueNameOf(key: string, prefix: string): string | undefined {
  const name = key.slice(prefix.length + 1, -':meta'.length);
  // Queue names cannot contain ':'; anything else matching the pattern is one of our own keys.
  return name !== '' && !name.includes(':') ? name : undefined;
}

/** Every queue that exists under `prefix`, found by its meta key (queues come and go with sessions). */
async function discoverQueueNames(redis: RedisConnection, prefix: string): Promise<string[]> {
  const names = new Set<string>(Object.values(QUEUES));
  for await (const keys of scanKeys(redis, `${prefix}:*:meta`, 1000)) {
    for (const key of keys) {
      const name = queueNameOf(key, prefix);
      if (name) names.add(name);
    }
  }
  const fixed = Object.values(QUEUES) as string[];
  return [...names].sort((a, b) => {
    const rank = (name: string) => (fixed.includes(name) ? fixed.indexOf(name) : fixed.length);
    return rank(a) - rank(b) || a.localeCompare(b);
  });
}

/**
 * Bull Board at /admin/queues (admin only: registerAuth refuses session keys on every route that is
 * not session-scoped, and accepts HTTP Basic here so a browser can log in). The list of queues is
 * refreshed from Redis when the board is used, so per-session `send.<id>` queues appear and vanish
 * with their sessions without a restart.
 */
export async function registerBullBoard(app: FastifyInstance, options: BullBoardOptions): Promise<void> {
  const readOnlyMode = options.readOnly ?? true;
  const refreshIntervalMs = options.refreshIntervalMs ?? 5000;
  const queues = new Map<string, Queue>();
  const serverAdapter = new FastifyAdapter();
  const board = createBullBoard({
    queues: [],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'wagw queues' } },
  });
  serverAdapter.setBasePath(BULL_BOARD_PATH);

  let lastRefresh = 0;
  let refreshing: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    const names = await discoverQueueNames(options.redis, options.prefix);
    for (const name of names) {
      if (queues.has(name)) continue;
      // skipMetasUpdate: looking at a queue must not write its meta back (and resurrect a deleted one).
      const queue = new Queue(name, {
        connection: options.redis,
        prefix: options.prefix,
        skipMetasUpdate: true,
      });
      queue.on('error', (err) => app.log.warn({ err, queue: name }, 'bull board queue error'));
      queues.set(name, queue);
    }
    for (const [name, queue] of queues) {
      if (names.includes(name)) continue;
      queues.delete(name);
      await queue.close();
    }
    board.replaceQueues([...queues.values()].map((queue) => new BullMQAdapter(queue, { readOnlyMode })));
    lastRefresh = Date.now();
  }

  await app.register(async (scope) => {
    // Before the board's own handlers: the page and its polling API see the current queues.
    scope.addHook('preHandler', async (request) => {
      if (Date.now() - lastRefresh < refreshIntervalMs || options.redis.status !== 'ready') return;
      refreshing ??= refresh()
        .catch((err: unknown) => request.log.warn({ err }, 'bull board queue discovery failed'))
        .finally(() => {
          refreshing = undefined;
        });
      await refreshing;
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });

  app.addHook('onClose', async () => {
    // Shared connection: closing a Queue leaves it open for the rest of the app.
    await Promise.all([...queues.values()].map((queue) => queue.close()));
    queues.clear();
  });
}
