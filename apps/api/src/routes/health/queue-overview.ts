import { listSendQueues, QUEUES, type QueueDepths, readQueueDepths, sumDepths } from '@wagw/queue';
import type { Redis } from 'ioredis';

export interface SendQueuesOverview {
  /** Per-session send queues that exist. */
  queues: number;
  totalWaiting: number;
  totalActive: number;
  totalDelayed: number;
  totalFailed: number;
  totalCompleted: number;
}

export interface QueueOverview {
  'session-commands': QueueDepths;
  maintenance: QueueDepths;
  /** One total over every `send.<sessionId>` queue: per-session depths would be unbounded. */
  sends: SendQueuesOverview;
}

/** Depths of every queue family, in two round trips (a SCAN for the send queues, one pipeline). */
export async function readQueueOverview(redis: Redis, prefix: string): Promise<QueueOverview> {
  const sendQueues = await listSendQueues(redis, prefix);
  const named = [QUEUES.sessionCommands, QUEUES.maintenance];
  const depths = await readQueueDepths(redis, prefix, [...named, ...sendQueues]);
  const sends = sumDepths(sendQueues.flatMap((name) => depths[name] ?? []));
  const empty = { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 };
  return {
    'session-commands': depths[QUEUES.sessionCommands] ?? empty,
    maintenance: depths[QUEUES.maintenance] ?? empty,
    sends: {
      queues: sendQueues.length,
      totalWaiting: sends.waiting,
      totalActive: sends.active,
      totalDelayed: sends.delayed,
      totalFailed: sends.failed,
      totalCompleted: sends.completed,
    },
  };
}
