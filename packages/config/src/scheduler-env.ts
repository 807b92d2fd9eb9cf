import { commonConfig, commonEnv } from './common-env.js';
import { int, optionalSecret } from './fields.js';
import { parseEnv } from './load.js';
import { mediaConfig, mediaEnv } from './media-env.js';

/** Variables of the scheduler process (apps/scheduler). */
export const schedulerEnv = {
  ...commonEnv,
  ...mediaEnv,
  // Read only to derive the media link secret when MEDIA_URL_SECRET is unset (see mediaEnv).
  API_KEY: optionalSecret(16),
  // How often stale-session cleanup runs, in ms; a stuck session waits at most this plus STALE_SESSION_AGE.
  CLEANUP_INTERVAL: int(1_800_000, { min: 1000 }),
  // A session `failed` for this long is revived (one fresh set of reconnect attempts), in ms.
  FAILED_REVIVAL_COOLDOWN: int(900_000, { min: 1000 }),
  // How often the scheduler looks for failed sessions to revive, in ms.
  REVIVAL_INTERVAL: int(60_000, { min: 1000 }),
  // A session stuck in starting/connecting/reconnecting without a live owner for this long is reset, in ms.
  STALE_SESSION_AGE: int(300_000, { min: 1000 }),
  // A message still `queued` this long after it was accepted, with no job in Redis, is re-enqueued, in ms.
  OUTBOX_GRACE_MS: int(30_000, { min: 1000 }),
  // How often outbox reconciliation looks for accepted messages whose job was lost, in ms.
  OUTBOX_RECONCILE_INTERVAL: int(30_000, { min: 1000 }),
  // An event committed with its change but still unpublished this long after (its process crashed, or
  // Redis was away) is published by the scheduler's relay, in ms.
  EVENT_OUTBOX_GRACE_MS: int(10_000, { min: 1000 }),
  // How often the event outbox relay runs, in ms.
  EVENT_OUTBOX_INTERVAL: int(5000, { min: 1000 }),
  // Webhook dead letters unchanged (not failed again nor replayed) for this many days are deleted; 0 = keep.
  DEAD_LETTER_RETENTION_DAYS: int(30, { min: 0, max: 36_500 }),
  // How often expired idempotency keys and old dead letters are deleted, in ms.
  RECORD_RETENTION_INTERVAL: int(3_600_000, { min: 1000 }),
  // Lifetime of a maintenance task's run lock, in ms, renewed every third of it while the run lasts:
  // it only matters when a scheduler dies mid-run, and is then how long that task waits.
  MAINTENANCE_LOCK_TTL: int(60_000, { min: 1000 }),
} as const;

export function loadSchedulerConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = parseEnv(schedulerEnv, env);
  return {
    ...commonConfig(parsed, 'scheduler'),
    cleanupIntervalMs: parsed.CLEANUP_INTERVAL,
    revivalCooldownMs: parsed.FAILED_REVIVAL_COOLDOWN,
    revivalIntervalMs: parsed.REVIVAL_INTERVAL,
    staleSessionAgeMs: parsed.STALE_SESSION_AGE,
    outboxGraceMs: parsed.OUTBOX_GRACE_MS,
    outboxReconcileIntervalMs: parsed.OUTBOX_RECONCILE_INTERVAL,
    eventOutboxGraceMs: parsed.EVENT_OUTBOX_GRACE_MS,
    eventOutboxIntervalMs: parsed.EVENT_OUTBOX_INTERVAL,
    deadLetterRetentionDays: parsed.DEAD_LETTER_RETENTION_DAYS,
    recordRetentionIntervalMs: parsed.RECORD_RETENTION_INTERVAL,
    maintenanceLockTtlMs: parsed.MAINTENANCE_LOCK_TTL,
    media: mediaConfig(parsed, parsed.API_KEY),
  };
}

export type SchedulerConfig = ReturnType<typeof loadSchedulerConfig>;
