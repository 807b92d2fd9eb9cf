import type { RedisConnection } from './connections.js';

/**
 * Counters that outlive any one process: workers increment them in Redis and every API replica
 * exports the same totals on /metrics. Fields are the label values (a disconnect code, a webhook
 * outcome), values are counts. They only grow; a Redis flush resets them, which Prometheus'
 * `rate()` treats as a counter reset.
 */
export function metricsKeys(prefix: string) {
  return {
    /** Field: disconnect code reported by Baileys (e.g. 428); value: disconnects recorded with it. */
    disconnects: `${prefix}:metrics:disconnects`,
    /** Field: disconnect code; value: disconnects after which the worker reconnected. */
    reconnects: `${prefix}:metrics:reconnects`,
    /** Field: webhook delivery outcome (delivered, retried, dead_lettered, skipped), written by workers. */
    webhooks: `${prefix}:metrics:webhooks`,
    /** Fields `<event>:count` and `<event>:bytes` per media event (see `recordMedia`). */
    media: `${prefix}:metrics:media`,
  };
}

/**
 * What happened to media files, counted across processes: `stored` (uploaded to the API, inline
 * base64 included), `fetched` (a `media.url` the worker downloaded), `received` (inbound media
 * downloaded from WhatsApp), `sent` (media messages sent), `failed` (a fetch or inbound download
 * that gave up), `deleted` (removed by retention).
 */
export type MediaEvent = 'stored' | 'fetched' | 'received' | 'sent' | 'failed' | 'deleted';

/** Counts one media event and its bytes. Best effort, like every counter here: callers catch. */
export async function recordMedia(
  redis: RedisConnection,
  prefix: string,
  event: MediaEvent,
  bytes: number,
): Promise<void> {
  const key = metricsKeys(prefix).media;
  await redis
    .multi()
    .hincrby(key, `${event}:count`, 1)
    .hincrby(key, `${event}:bytes`, Math.max(0, Math.round(bytes)))
    .exec();
}

/**
 * Records one disconnect with its code, and a reconnect when the worker is about to connect again.
 * Callers treat it as best effort: losing a count must never stop a session.
 */
export async function recordDisconnect(
  redis: RedisConnection,
  prefix: string,
  code: number,
  options: { reconnecting: boolean },
): Promise<void> {
  const keys = metricsKeys(prefix);
  const tx = redis.multi().hincrby(keys.disconnects, String(code), 1);
  if (options.reconnecting) tx.hincrby(keys.reconnects, String(code), 1);
  await tx.exec();
}

/** A counter hash as numbers; fields whose value is not an integer are skipped. */
export async function readCounterHash(redis: RedisConnection, key: string): Promise<Record<string, number>> {
  const raw = await redis.hgetall(key);
  const out: Record<string, number> = {};
  for (const [field, value] of Object.entries(raw)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) out[field] = n;
  }
  return out;
}
