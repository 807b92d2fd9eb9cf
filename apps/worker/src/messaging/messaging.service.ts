import type { Repositories } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { type BreakerState, createBreaker } from '@wagw/resilience';
import type { Redis } from 'ioredis';
import { createMessageEvents } from './message-events.js';
import { createDailyCounter, type PacingDefaults } from './pacing.js';
import { createSessionMessaging, type SessionMessaging } from './session-messaging.js';

export interface MessagingServiceDeps {
  logger: Logger;
  repos: Pick<Repositories, 'messages' | 'contacts' | 'sessions'>;
  /** Producer-profile connection (fails fast): events and counters. */
  redis: Redis;
  /** Consumer-profile connection (waits for Redis): the delivery workers. */
  connection: Redis;
  prefix: string;
  delivery: PacingDefaults & { ackTimeoutMs: number; profilePictureTimeoutMs: number };
  /** MSG_FAILURE_THRESHOLD / MSG_RESET_TIMEOUT. */
  sendBreaker: { failureThreshold: number; resetTimeoutMs: number };
  /** DB_FAILURE_THRESHOLD / DB_RESET_TIMEOUT. */
  dbBreaker: { failureThreshold: number; resetTimeoutMs: number };
}

/**
 * Messaging of every session this worker owns: one database breaker for the worker's send/status
 * path, one send breaker per session, and the per-session parts (delivery, statuses, inbound).
 */
export function createMessagingService(deps: MessagingServiceDeps) {
  const { logger } = deps;
  const onBreakerChange = (name: string, state: string) =>
    logger.warn({ breaker: name, state }, 'circuit breaker state changed');
  const dbBreaker = createBreaker({
    name: 'db',
    threshold: deps.dbBreaker.failureThreshold,
    resetMs: deps.dbBreaker.resetTimeoutMs,
    onStateChange: (state, name) => onBreakerChange(name, state),
  });
  const shared = {
    repos: deps.repos,
    db: <T>(fn: () => Promise<T>) => dbBreaker.execute(fn),
    dbBreaker,
    events: createMessageEvents({ redis: deps.redis, prefix: deps.prefix, logger }),
    daily: createDailyCounter(deps.redis, deps.prefix),
    connection: deps.connection,
    prefix: deps.prefix,
    pacing: deps.delivery,
    ackTimeoutMs: deps.delivery.ackTimeoutMs,
    profilePictureTimeoutMs: deps.delivery.profilePictureTimeoutMs,
    sendBreaker: deps.sendBreaker,
    onBreakerChange,
  };
  const sessions = new Map<string, SessionMessaging>();

  return {
    /** Runs a database call through the worker's database breaker (shared with webhook delivery). */
    db: shared.db,

    /** The session's messaging for its runner (created on claim). */
    forSession(sessionId: string, options: { logger: Logger; holdsLease: () => boolean }): SessionMessaging {
      const existing = sessions.get(sessionId);
      if (existing) return existing;
      const created = createSessionMessaging({ sessionId, ...options, shared });
      sessions.set(sessionId, created);
      return created;
    },

    /** The session left this worker (runner finished). */
    async release(sessionId: string): Promise<void> {
      const entry = sessions.get(sessionId);
      sessions.delete(sessionId);
      await entry?.dispose();
    },

    /** For the heartbeat: `db` and `send:<sessionId>` of every owned session. */
    breakers(): Record<string, BreakerState> {
      const out: Record<string, BreakerState> = { db: dbBreaker.state() };
      for (const entry of sessions.values()) out[entry.breaker.name] = entry.breaker.state();
      return out;
    },

    async close(): Promise<void> {
      await Promise.all([...sessions.keys()].map((id) => this.release(id)));
      dbBreaker.dispose();
    },
  };
}

export type MessagingService = ReturnType<typeof createMessagingService>;
