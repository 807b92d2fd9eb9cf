import {
  listSendQueues,
  QUEUES,
  type QueueDepths,
  type RedisConnection,
  readQueueDepths,
  redisKeys,
  sumDepths,
  WEBHOOK_DISPATCH_GROUP,
} from '@wagw/queue';

interface SendQueuesOverview {
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
  /** Webhook deliveries (one job per event and receiver). */
  webhooks: QueueDepths;
  /** One total over every `send.<sessionId>` queue: per-session depths would be unbounded. */
  sends: SendQueuesOverview;
}

/** Depths of every queue family, in two round trips (a SCAN for the send queues, one pipeline). */
export async function readQueueOverview(redis: RedisConnection, prefix: string): Promise<QueueOverview> {
  const sendQueues = await listSendQueues(redis, prefix);
  const named = [QUEUES.sessionCommands, QUEUES.maintenance, QUEUES.webhooks];
  const depths = await readQueueDepths(redis, prefix, [...named, ...sendQueues]);
  const sends = sumDepths(sendQueues.flatMap((name) => depths[name] ?? []));
  const empty = { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 };
  return {
    'session-commands': depths[QUEUES.sessionCommands] ?? empty,
    maintenance: depths[QUEUES.maintenance] ?? empty,
    webhooks: depths[QUEUES.webhooks] ?? empty,
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

/** Where the webhook fan-out stands in the event stream (its consumer group). */
export interface EventDispatchState {
  /** Entries a worker read but has not fanned out (acknowledged) yet: the group's pending list. */
  pending: number;
  /**
   * Entries in the stream the group has not read yet. null when Redis cannot tell (before Redis 7,
   * or after entries were deleted from the middle of the stream).
   */
  lag: number | null;
}

/**
 * `XINFO GROUPS <prefix>:events`, entry of WEBHOOK_DISPATCH_GROUP, in one round trip (TYPE first,
 * so a stream nobody published to yet is not an error). No stream or no group yet (no event
 * published, no worker started): nothing is waiting, `{ pending: 0, lag: 0 }`.
 */
export async function readEventDispatch(redis: RedisConnection, prefix: string): Promise<EventDispatchState> {
  const key = redisKeys(prefix).events;
  const results = (await redis.pipeline().type(key).xinfo('GROUPS', key).exec()) ?? [];
  const [typeErr, type] = results[0] ?? [new Error('no reply to TYPE')];
  if (typeErr) throw typeErr;
  if (type === 'none') return { pending: 0, lag: 0 };
  const [groupsErr, groups] = results[1] ?? [new Error('no reply to XINFO GROUPS')];
  if (groupsErr) throw groupsErr;
  for (const group of (groups ?? []) as unknown[][]) {
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < group.length; i += 2) fields.set(String(group[i]), group[i + 1]);
    if (fields.get('name') !== WEBHOOK_DISPATCH_GROUP) continue;
    const lag = fields.get('lag') == null ? Number.NaN : Number(fields.get('lag'));
    return { pending: Number(fields.get('pending')) || 0, lag: Number.isFinite(lag) ? lag : null };
  }
  return { pending: 0, lag: 0 };
}
