import type { Logger } from '@wagw/logger';
import { type RedisConnection, sendQueuesWithWork } from '@wagw/queue';
import { type BreakerState, createBreaker } from '@wagw/resilience';
import { newSpoolCounters } from './db-spool.js';
import { createMessageEvents } from './message-events.js';
import { createDailyCounter } from './pacing.js';
import {
  type BreakerSettings,
  createSessionMessaging,
  type SessionMessaging,
  type WorkerMessagingParts,
} from './session-messaging.js';

export interface WorkerMessagingDeps
  extends Pick<
    WorkerMessagingParts,
    'repos' | 'connection' | 'prefix' | 'delivery' | 'sendBreaker' | 'media'
  > {
  logger: Logger;
  /** Producer-profile connection (fails fast): events and counters. */
  redis: RedisConnection;
  /** DB_FAILURE_THRESHOLD / DB_RESET_TIMEOUT. */
  dbBreaker: BreakerSettings;
  /** DB_SPOOL_MAX: writes kept per session while the database is unavailable. */
  dbSpoolMax: number;
  /** Database.canWrite: a probe that fails fast (never waits out SQLite's busy_timeout). */
  canWrite: () => Promise<void>;
}

/**
 * Messaging of the whole worker process: one database breaker for the send/status path (shared
 * with webhook delivery), the event publisher and the daily counter, and one `SessionMessaging`
 * (session-messaging.ts) per session this worker owns.
 */
export function createWorkerMessaging(deps: WorkerMessagingDeps) {
  const { logger } = deps;
  const onBreakerChange = (name: string, state: string) =>
    logger.warn({ breaker: name, state }, 'circuit breaker state changed');
  const dbBreaker = createBreaker({
    name: 'db',
    threshold: deps.dbBreaker.failureThreshold,
    resetMs: deps.dbBreaker.resetTimeoutMs,
    onStateChange: (state, name) => onBreakerChange(name, state),
  });
  const parts: WorkerMessagingParts = {
    repos: deps.repos,
    // While the breaker is not closed, a call first probes cheaply: the call that would be the
    // breaker's half-open probe on a locked SQLite file blocks the event loop for busy_timeout (5 s).
    db: (fn) =>
      dbBreaker.state() === 'closed'
        ? dbBreaker.execute(fn)
        : deps.canWrite().then(() => dbBreaker.execute(fn)),
    dbBreaker,
    events: createMessageEvents({
      redis: deps.redis,
      prefix: deps.prefix,
      logger,
      // Through the breaker; `parts` exists by the time an event is published.
      outbox: { remove: (ids) => parts.db(() => deps.repos.eventOutbox.remove(ids)) },
    }),
    daily: createDailyCounter(deps.redis, deps.prefix),
    connection: deps.connection,
    redis: deps.redis,
    prefix: deps.prefix,
    delivery: deps.delivery,
    sendBreaker: deps.sendBreaker,
    onBreakerChange,
    media: deps.media,
    spool: { max: deps.dbSpoolMax, counters: newSpoolCounters() },
    hasWork: (sessionId) =>
      sendQueuesWithWork(deps.redis, deps.prefix, [sessionId]).then(
        (busy) => busy.has(sessionId),
        () => true,
      ),
  };
  const sessions = new Map<string, SessionMessaging>();

  // The periodic look at the owned sessions' send queues (one pipelined round trip): it starts the
  // consumer of a queue whose wake was lost (a subscriber reconnecting, a producer that does not
  // wake) and closes consumers idle for SEND_CONSUMER_IDLE.
  let looking = false;
  async function lookAtQueues(): Promise<void> {
    const open = [...sessions.entries()].filter(([, entry]) => entry.delivering());
    if (looking || open.length === 0) return;
    looking = true;
    try {
      const busy = await sendQueuesWithWork(
        deps.redis,
        deps.prefix,
        open.map(([id]) => id),
      );
      for (const [id, entry] of open) entry.observe(busy.has(id));
    } catch (err) {
      logger.debug({ err }, 'looking at the send queues failed; next look later');
    } finally {
      looking = false;
    }
  }
  const lookEveryMs = Math.min(5000, Math.max(250, Math.floor(deps.delivery.consumerIdleMs / 3)));
  const lookTimer = setInterval(() => void lookAtQueues(), lookEveryMs);
  lookTimer.unref();

  async function release(sessionId: string): Promise<void> {
    const entry = sessions.get(sessionId);
    sessions.delete(sessionId);
    await entry?.dispose();
  }

  return {
    /** Runs a database call through the worker's database breaker (shared with webhook delivery). */
    db: parts.db,

    /**
     * Publishes an event written to the event outbox with its change (see message-events.ts): its
     * outbox row goes once the stream has it, else the relay sends it.
     */
    publishStored: parts.events.publishStored,

    /** The session's messaging for its runner (created on claim). */
    forSession(sessionId: string, options: { logger: Logger; holdsLease: () => boolean }): SessionMessaging {
      const existing = sessions.get(sessionId);
      if (existing) return existing;
      const created = createSessionMessaging({ sessionId, ...options, worker: parts });
      sessions.set(sessionId, created);
      return created;
    },

    /** The session left this worker (runner finished). */
    release,

    /** A producer added jobs to the session's send queue (`sendWakeChannel`). */
    wake(sessionId: string): void {
      sessions.get(sessionId)?.wake();
    },

    /** For the heartbeat: `db` and `send:<sessionId>` of every owned session. */
    breakers(): Record<string, BreakerState> {
      const out: Record<string, BreakerState> = { db: dbBreaker.state() };
      for (const entry of sessions.values()) out[entry.breaker.name] = entry.breaker.state();
      return out;
    },

    /** For the heartbeat: writes waiting in the sessions' spools, and what happened to spooled writes. */
    spool() {
      let redis = 0;
      let memory = 0;
      for (const entry of sessions.values()) {
        const depth = entry.spoolDepth();
        redis += depth.redis;
        memory += depth.memory;
      }
      return { depth: redis + memory, memory, ...parts.spool.counters };
    },

    async close(): Promise<void> {
      clearInterval(lookTimer);
      await Promise.all([...sessions.keys()].map(release));
      await parts.events.flush();
      dbBreaker.dispose();
    },
  };
}
