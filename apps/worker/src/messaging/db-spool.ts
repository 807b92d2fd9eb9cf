import { randomUUID } from 'node:crypto';
import { isDatabaseUnavailable } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import type { RedisConnection } from '@wagw/queue';
import { isBrokenCircuit, sleep } from '@wagw/resilience';

/**
 * A write the database could not take, kept to be made later. `inbound`: a received message
 * (Baileys' WAMessage, BufferJSON-encoded), replayed through the same store function, so it is
 * stored once (unique by session and WhatsApp id) and announced once. `receipt`: a status Baileys
 * reported for one of our messages, replayed through the status tracker (forward-only moves).
 */
export type SpoolWrite =
  | { kind: 'inbound'; message: string }
  | { kind: 'receipt'; waId: string; status: number; params?: string[] | null };

/** A spooled write with its own id (what the pop compares) and when it was spooled (epoch ms). */
export type SpoolEntry = SpoolWrite & { id: string; at: number };

/**
 * The policy: a write is spooled when the database is unavailable (the breaker refused the call,
 * or the driver said locked / unreachable / timed out), never for errors of the write itself
 * (constraint, validation), which a replay would only repeat.
 */
export function shouldSpool(err: unknown): boolean {
  return isBrokenCircuit(err) || isDatabaseUnavailable(err);
}

/** Counters of one worker across its sessions' spools (for the heartbeat and /metrics). */
export interface SpoolCounters {
  spooled: number;
  replayed: number;
  /** Refused because the spool was full (DB_SPOOL_MAX): these writes are lost, and logged. */
  refused: number;
  /** Replays that failed for a reason other than the database being unavailable. */
  dropped: number;
}

export const newSpoolCounters = (): SpoolCounters => ({ spooled: 0, replayed: 0, refused: 0, dropped: 0 });

export interface DbSpoolOptions {
  sessionId: string;
  logger: Logger;
  /** Producer-profile connection (fails fast): a push while Redis is down goes to memory at once. */
  redis: RedisConnection;
  /** redisKeys(prefix).dbSpool(sessionId). */
  key: string;
  /** DB_SPOOL_MAX: entries kept per session, in Redis and in memory each. */
  max: number;
  /** Makes the write again; throws what the database threw. */
  replay: (entry: SpoolEntry) => Promise<void>;
  /** Ms until the database breaker lets a call through (0: now). */
  retryAfterMs: () => number;
  /** Only the session's owner drains; a former owner stops at once. */
  holdsLease: () => boolean;
  counters: SpoolCounters;
  /** Wait between replay attempts while the database is unavailable. Default: 250 ms doubling to 10 s. */
  backoff?: { baseMs: number; maxMs: number };
  /** Entries read from Redis per round trip. Default: 100. */
  batch?: number;
}

// Bounded push: the length check and the append are one step, so concurrent pushes never overshoot.
const PUSH = `if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
return redis.call('RPUSH', KEYS[1], ARGV[1])`;
// Pops the replayed entries only while the head is still the one replayed: a second drainer (a
// former owner during a lease takeover) can then neither pop an entry twice nor one never replayed.
const POP = `local popped = 0
for _, v in ipairs(ARGV) do
  if redis.call('LINDEX', KEYS[1], 0) ~= v then break end
  redis.call('LPOP', KEYS[1])
  popped = popped + 1
end
return { popped, redis.call('LLEN', KEYS[1]) }`;

/** One summary line per this many ms while writes are refused, not one per write. */
const REFUSED_LOG_INTERVAL_MS = 10_000;

/**
 * The spool of one session while this worker owns it: `push` keeps a write the database refused,
 * in Redis (so a new owner finds it after a takeover) or, while Redis is down too, in a bounded
 * memory buffer (lost if this process dies). A drainer replays the entries in order once the
 * database answers again, backing off while it does not; an entry leaves the spool only after its
 * replay succeeded (at least once; the replays are idempotent).
 */
export function createDbSpool(options: DbSpoolOptions) {
  const { sessionId, logger, redis, key, max, counters } = options;
  const backoff = options.backoff ?? { baseMs: 250, maxMs: 10_000 };
  const batchSize = options.batch ?? 100;
  const memory: SpoolEntry[] = [];
  const stop = new AbortController();
  let redisDepth = 0;
  let running = false;
  let again = false;
  let failures = 0;
  let refusedSinceLog = 0;
  let lastRefusedLog = 0;

  function refuse(entry: SpoolEntry): void {
    counters.refused++;
    refusedSinceLog++;
    const now = Date.now();
    if (now - lastRefusedLog < REFUSED_LOG_INTERVAL_MS) return;
    logger.error(
      { sessionId, kind: entry.kind, refused: refusedSinceLog, max },
      'database spool full: writes lost (DB_SPOOL_MAX)',
    );
    lastRefusedLog = now;
    refusedSinceLog = 0;
  }

  /** Keeps `write`; false when it was refused (spool full). */
  async function push(write: SpoolWrite): Promise<boolean> {
    const entry = { ...write, id: randomUUID(), at: Date.now() } as SpoolEntry;
    const value = JSON.stringify(entry);
    try {
      const length = Number(await redis.eval(PUSH, 1, key, value, String(max)));
      if (length < 0) {
        refuse(entry);
        return false;
      }
      redisDepth = length;
    } catch (err) {
      if (memory.length >= max) {
        refuse(entry);
        return false;
      }
      if (memory.length === 0)
        logger.warn({ err, sessionId }, 'redis unavailable: spooling writes in memory');
      memory.push(entry);
    }
    counters.spooled++;
    kick();
    return true;
  }

  /** Whether this spool may replay: the session is still here and owned (a former owner stops). */
  const mayDrain = () => !stop.signal.aborted && options.holdsLease();

  /**
   * Replays `entries` in order; stops at the first the database refuses, and before the next one
   * once the spool may no longer drain. Returns how many went.
   */
  async function replayInOrder(entries: SpoolEntry[]): Promise<{ done: number; blocked: boolean }> {
    let done = 0;
    for (const entry of entries) {
      // Checked before each entry, not once per pass: a pass can outlive the ownership (its Redis
      // read or the previous replay in flight when the session left), and a former owner that goes
      // on replaying races the new one for the same entries.
      if (!mayDrain()) break;
      try {
        await options.replay(entry);
        counters.replayed++;
      } catch (err) {
        if (shouldSpool(err)) return { done, blocked: true };
        counters.dropped++;
        logger.warn({ err, sessionId, kind: entry.kind }, 'spooled write dropped on replay');
      }
      done++;
    }
    return { done, blocked: false };
  }

  /** One pass over Redis, then memory; true when the database refused (try again later). */
  async function drainPass(): Promise<boolean> {
    for (;;) {
      if (!mayDrain()) return false;
      let raw: string[] = [];
      try {
        const [length, head] = await Promise.all([redis.llen(key), redis.lrange(key, 0, batchSize - 1)]);
        redisDepth = length;
        raw = head;
      } catch {
        // Redis down: what is in it waits; the memory buffer can still be replayed.
      }
      if (raw.length === 0) break;
      const { done, blocked } = await replayInOrder(raw.map((value) => JSON.parse(value) as SpoolEntry));
      if (done > 0) {
        const [popped, left] = (await redis.eval(POP, 1, key, ...raw.slice(0, done))) as [number, number];
        redisDepth = left;
        // Someone else popped (a former owner still draining): read the head again.
        if (popped < done) continue;
      }
      if (blocked) return true;
    }
    redisDepth = 0;
    const { done, blocked } = await replayInOrder(memory.slice());
    memory.splice(0, done);
    return blocked;
  }

  async function run(): Promise<void> {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const blocked = await drainPass().catch((err) => {
          logger.warn({ err, sessionId }, 'draining the database spool failed');
          return true;
        });
        if (!blocked) {
          failures = 0;
          continue;
        }
        const wait = Math.min(backoff.maxMs, backoff.baseMs * 2 ** failures++);
        await sleep(Math.max(wait * (0.5 + Math.random() / 2), options.retryAfterMs()), stop.signal);
        again = true;
      } while (again && !stop.signal.aborted);
    } finally {
      running = false;
    }
  }

  function kick(): void {
    void run();
  }

  return {
    push,
    /** Looks for entries (left by a former owner too) and replays them; called when the session is claimed. */
    start: kick,
    /** Entries waiting: in Redis (as last seen) and in memory. */
    depth: () => ({ redis: redisDepth, memory: memory.length }),
    /**
     * The session left this worker: stop draining. What is in Redis stays for the next owner; the
     * memory buffer is handed to Redis too if it answers now, else it is lost (and logged).
     */
    async dispose(): Promise<void> {
      stop.abort();
      if (memory.length === 0) return;
      const left = memory.splice(0).map((entry) => JSON.stringify(entry));
      await redis
        .rpush(key, ...left)
        .catch((err) =>
          logger.error(
            { err, sessionId, lost: left.length },
            'database spool in memory lost with the session',
          ),
        );
    },
  };
}

export type DbSpool = ReturnType<typeof createDbSpool>;
