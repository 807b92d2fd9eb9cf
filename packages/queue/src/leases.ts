import type { RedisConnection } from './connections.js';
import { redisKeys } from './keys.js';

/**
 * Session leases in Redis with a fencing generation.
 *
 * A lease is `<workerId>|<generation>` under `lease:<sessionId>` with a TTL. The generation is a
 * per-session counter incremented on every acquisition, so a newer owner always holds a larger
 * number: the database refuses owner writes from smaller generations, and a worker that was paused
 * past its TTL can tell that its lease is gone. All three operations are single Lua scripts, so
 * check-and-set is atomic across any number of workers.
 */
const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current then return {0, current} end
local generation = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3]) or 0
if generation <= floor then
  generation = floor + 1
  redis.call('SET', KEYS[2], generation)
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. generation, 'PX', ARGV[2])
return {generation, ''}`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface Lease {
  sessionId: string;
  workerId: string;
  generation: number;
}

interface LeaseOwner {
  workerId: string;
  generation: number;
  ttlMs: number;
}

function token(lease: Lease): string {
  return `${lease.workerId}|${lease.generation}`;
}

export function createLeaseStore(options: { redis: RedisConnection; prefix: string; ttlMs: number }) {
  const keys = redisKeys(options.prefix);
  const { redis, ttlMs } = options;

  return {
    ttlMs,

    /**
     * Takes the lease if nobody holds it; null when another worker does. `minGeneration` is the
     * last generation the database saw: if Redis lost its data (and with it the counter), the new
     * generation still continues above it, so the database's fencing check keeps working.
     */
    async acquire(sessionId: string, workerId: string, minGeneration = 0): Promise<Lease | null> {
      const [generation] = (await redis.eval(
        ACQUIRE,
        2,
        keys.lease(sessionId),
        keys.leaseGeneration(sessionId),
        workerId,
        ttlMs,
        minGeneration,
      )) as [number, string];
      return generation > 0 ? { sessionId, workerId, generation } : null;
    },

    /** Extends the lease only if it is still exactly ours. False means we lost it. */
    async renew(lease: Lease): Promise<boolean> {
      return (await redis.eval(RENEW, 1, keys.lease(lease.sessionId), token(lease), ttlMs)) === 1;
    },

    /** Deletes the lease only if it is still ours, so another worker can take the session at once. */
    async release(lease: Lease): Promise<boolean> {
      return (await redis.eval(RELEASE, 1, keys.lease(lease.sessionId), token(lease))) === 1;
    },

    /** Current holders of many sessions in one round trip (null where unowned). */
    async holders(sessionIds: readonly string[]): Promise<Map<string, string | null>> {
      const result = new Map<string, string | null>();
      if (sessionIds.length === 0) return result;
      const values = await redis.mget(sessionIds.map((id) => keys.lease(id)));
      sessionIds.forEach((id, i) => {
        result.set(id, values[i]?.split('|')[0] ?? null);
      });
      return result;
    },

    async owner(sessionId: string): Promise<LeaseOwner | null> {
      const [value, ttl] = await redis
        .multi()
        .get(keys.lease(sessionId))
        .pttl(keys.lease(sessionId))
        .exec()
        .then((results) => (results ?? []).map(([, result]) => result) as [string | null, number]);
      if (!value) return null;
      const [workerId, generation] = value.split('|');
      return { workerId: workerId ?? '', generation: Number(generation), ttlMs: ttl };
    },
  };
}

export type LeaseStore = ReturnType<typeof createLeaseStore>;
