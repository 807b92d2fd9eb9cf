import type { Redis } from 'ioredis';

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
  };
}

/**
 * Records one disconnect with its code, and a reconnect when the worker is about to connect again.
 * Callers treat it as best effort: losing a count must never stop a session.
 */
export async function recordDisconnect(
  redis: Redis,
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
export async function readCounterHash(redis: Redis, key: string): Promise<Record<string, number>> {
  const raw = await redis.hgetall(key);
  const out: Record<string, number> = {};
  for (const [field, value] of Object.entries(raw)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) out[field] = n;
  }
  return out;
}
