import { type RedisConnection, scanKeys } from './connections.js';
import { redisKeys } from './keys.js';

/**
 * How long a process that stopped beating without saying goodbye is still "expected" (reported
 * missing by health) before it is forgotten. Ten minutes: long enough for an operator to notice a
 * crashed worker, short enough that a scaled-down or renamed instance stops alarming on its own.
 */
const DEFAULT_SEEN_WINDOW_MS = 10 * 60_000;

export interface HeartbeatPayload {
  role: string;
  instanceId: string;
  pid: number;
  startedAt: string;
  at: string;
  /** Role-specific facts (worker: sessions owned, capacity, breaker states, event-loop delay). */
  [extra: string]: unknown;
}

interface HeartbeatOptions {
  redis: RedisConnection;
  prefix: string;
  role: string;
  instanceId: string;
  /** How often to beat, in ms. The key expires after three missed beats. */
  intervalMs: number;
  /** Extra facts to publish with each beat. */
  collect?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Called when a beat fails (Redis down); the next beat retries. */
  onError?: (err: unknown) => void;
  /** How long this instance stays in the recently-seen set after its last beat. Default: 600000 (10 min). */
  seenWindowMs?: number;
}

/**
 * Publishes a heartbeat key with a TTL. A process that dies stops beating and its key expires, which
 * is how health notices a missing worker without any process having to announce its own death.
 */
export function startHeartbeat(options: HeartbeatOptions) {
  const keys = redisKeys(options.prefix);
  const key = keys.heartbeat(options.role, options.instanceId);
  const startedAt = new Date().toISOString();
  const ttlMs = options.intervalMs * 3;
  const seenKey = keys.heartbeatSeen(options.role);
  const seenWindowMs = options.seenWindowMs ?? DEFAULT_SEEN_WINDOW_MS;

  async function beat(): Promise<void> {
    const extra = (await options.collect?.()) ?? {};
    const payload: HeartbeatPayload = {
      ...extra,
      role: options.role,
      instanceId: options.instanceId,
      pid: process.pid,
      startedAt,
      at: new Date().toISOString(),
    };
    const now = Date.now();
    // One transaction: the heartbeat and the "seen" entry never disagree about this instance.
    const results = await options.redis
      .multi()
      .set(key, JSON.stringify(payload), 'PX', ttlMs)
      .zadd(seenKey, now, options.instanceId)
      .zremrangebyscore(seenKey, '-inf', now - seenWindowMs)
      .pexpire(seenKey, seenWindowMs)
      .exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  const safeBeat = () => beat().catch((err) => options.onError?.(err));
  const timer = setInterval(safeBeat, options.intervalMs);
  timer.unref();

  return {
    /** The first beat, awaited, so start-up fails loudly if Redis is unreachable. */
    ready: beat(),
    beat,
    /**
     * Stops beating and deletes the key and the seen entry, so health forgets a cleanly stopped
     * process at once instead of reporting it missing.
     */
    async stop(): Promise<void> {
      clearInterval(timer);
      await options.redis
        .multi()
        .del(key)
        .zrem(seenKey, options.instanceId)
        .exec()
        .catch((err) => options.onError?.(err));
    },
  };
}

/** Every live heartbeat under a prefix (optionally of one role). */
export async function listHeartbeats(
  redis: RedisConnection,
  prefix: string,
  role?: string,
): Promise<HeartbeatPayload[]> {
  const pattern = role ? redisKeys(prefix).heartbeat(role, '*') : redisKeys(prefix).heartbeatPattern;
  const found: string[] = [];
  for await (const batch of scanKeys(redis, pattern, 200)) found.push(...batch);
  if (found.length === 0) return [];
  const values = await redis.mget(found);
  return values.flatMap((value) => (value ? [JSON.parse(value) as HeartbeatPayload] : []));
}

/**
 * Instance ids of `role` whose last beat is at most `windowMs` (default 10 min) before `now`
 * (default: this process's clock; the window is inclusive). Compared with the live heartbeats, the
 * difference is the processes that died without stopping cleanly.
 */
export async function listRecentlySeen(
  redis: RedisConnection,
  prefix: string,
  role: string,
  windowMs = DEFAULT_SEEN_WINDOW_MS,
  now = Date.now(),
): Promise<string[]> {
  return redis.zrangebyscore(redisKeys(prefix).heartbeatSeen(role), now - windowMs, '+inf');
}
