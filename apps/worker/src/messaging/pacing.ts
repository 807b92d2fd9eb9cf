import type { SessionSettings } from '@wagw/db';
import type { RedisConnection } from '@wagw/queue';

/** The worker-wide pacing defaults (config `delivery`); a session's `settings.pacing` overrides them. */
export interface PacingDefaults {
  /** SEND_RATE_PER_MINUTE. */
  perMinute: number;
  /** SEND_JITTER_MS: upper bound of the random pause before a send. */
  jitterMs: number;
  typing: { enabled: boolean; msPerChar: number; maxMs: number };
  /** `max` 0 = no daily cap. */
  dailyCap: { max: number; base: number };
}

const DAY_MS = 86_400_000;

/**
 * The BullMQ limiter of a session's send queue. One job per `60000 / perMinute` ms rather than
 * `perMinute` jobs per minute: BullMQ's window lets a whole minute's quota go out in one burst,
 * and a burst from one number is what WhatsApp's spam detection reacts to; even spacing sends the
 * same number of messages per minute.
 */
export function limiterFor(settings: SessionSettings, defaults: PacingDefaults) {
  const perMinute = settings.pacing?.perMinute ?? defaults.perMinute;
  return { max: 1, duration: Math.ceil(60_000 / Math.max(1, perMinute)) };
}

/** Random pause before one send, in ms: the session's [minDelayMs, maxDelayMs] or [0, SEND_JITTER_MS]. */
export function jitterDelay(
  settings: SessionSettings,
  defaults: PacingDefaults,
  random: () => number = Math.random,
): number {
  const min = settings.pacing?.minDelayMs ?? 0;
  const max = Math.max(min, settings.pacing?.maxDelayMs ?? defaults.jitterMs);
  return Math.round(min + random() * (max - min));
}

/** How long to show "typing…" before a text of `length` characters; 0 = not at all. */
export function typingDelay(length: number, typing: PacingDefaults['typing']): number {
  if (!typing.enabled || length <= 0) return 0;
  return Math.min(typing.maxMs, length * typing.msPerChar);
}

/**
 * Warm-up: a new number may send `base` messages on its first day, twice as many each further day
 * of age, and never more than `max`. Undefined when there is no cap.
 */
export function dailyCap(
  sessionCreatedAt: Date,
  now: Date,
  cap: PacingDefaults['dailyCap'],
): number | undefined {
  if (cap.max <= 0) return undefined;
  const days = Math.max(0, Math.floor((now.getTime() - sessionCreatedAt.getTime()) / DAY_MS));
  return Math.min(cap.max, cap.base * 2 ** Math.min(days, 40));
}

/** Ms until the next UTC midnight, when daily caps start afresh. */
export function msUntilUtcMidnight(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return next - now.getTime();
}

/**
 * Pause after WhatsApp answered "rate-overlimit" (429) for the `n`th time in a row: 10 s doubling
 * to at most 10 min. Backing off hard matters more than throughput: pushing on through 429s is how
 * numbers get banned.
 */
export function rateOverlimitPause(n: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, n - 1), 600_000);
}

/** Messages a session sent on the current UTC day, counted in Redis so it survives failovers. */
export function createDailyCounter(redis: RedisConnection, prefix: string) {
  const key = (sessionId: string, now: Date) =>
    `${prefix}:sent-today:${sessionId}:${now.toISOString().slice(0, 10)}`;
  return {
    async get(sessionId: string, now = new Date()): Promise<number> {
      return Number((await redis.get(key(sessionId, now))) ?? 0);
    },
    async increment(sessionId: string, now = new Date()): Promise<void> {
      // Two days: the key outlives its day whatever the clock skew between workers.
      await redis
        .multi()
        .incr(key(sessionId, now))
        .pexpire(key(sessionId, now), 2 * DAY_MS)
        .exec();
    },
  };
}

export type DailyCounter = ReturnType<typeof createDailyCounter>;
