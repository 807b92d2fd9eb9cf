import type { RedisConnection } from '@wagw/queue';

/**
 * What the media store held at the end of the last media-retention run that walked all of it.
 * Counting a store costs a full listing, which no scrape can afford; the retention task walks the
 * whole store anyway, so it leaves the totals behind in Redis for every API replica to export.
 */
export interface MediaInventory {
  /** The backend the numbers describe (MEDIA_STORE), so a migration from one to the other shows. */
  backend: 'fs' | 's3';
  objects: number;
  bytes: number;
  /** When the walk that counted them ended. */
  measuredAt: Date;
}

/** A hash under the deployment prefix, next to the counters of `metricsKeys`. */
function mediaInventoryKey(prefix: string): string {
  return `${prefix}:metrics:media-inventory`;
}

export async function writeMediaInventory(redis: RedisConnection, prefix: string, inventory: MediaInventory) {
  await redis.hset(mediaInventoryKey(prefix), {
    backend: inventory.backend,
    objects: inventory.objects,
    bytes: inventory.bytes,
    measuredAt: inventory.measuredAt.getTime(),
  });
}

/** The last inventory, or null when no run has counted the store yet (or the hash is not ours). */
export async function readMediaInventory(
  redis: RedisConnection,
  prefix: string,
): Promise<MediaInventory | null> {
  const raw = await redis.hgetall(mediaInventoryKey(prefix));
  const [objects, bytes, measuredAt] = [raw.objects, raw.bytes, raw.measuredAt].map(Number);
  const backend = raw.backend;
  if (backend !== 'fs' && backend !== 's3') return null;
  if (![objects, bytes, measuredAt].every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return null;
  return {
    backend,
    objects: objects as number,
    bytes: bytes as number,
    measuredAt: new Date(measuredAt as number),
  };
}
