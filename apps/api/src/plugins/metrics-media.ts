import { readMediaInventory } from '@wagw/maintenance';
import type { RedisConnection } from '@wagw/queue';
import { Counter, Gauge, type Registry } from 'prom-client';
import { MEDIA_EVENTS, readMediaCounters } from '../routes/monitoring/media-counters.js';

/**
 * The media series of GET /metrics (plugins/metrics.ts), read from Redis at scrape time: what every
 * process counted (events and bytes), and what the last media-retention walk found in the store.
 */
export function createMediaMetrics(registry: Registry, redis: RedisConnection, prefix: string) {
  const events = new Counter({
    name: 'wagw_media_events_total',
    help: 'Media files by event over all processes: stored (uploaded), fetched (media.url), received (inbound), sent, failed, deleted (retention)',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'wagw_media_bytes_total',
    help: 'Bytes of the media files counted in wagw_media_events_total, by event',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  // Counting a store takes a full listing, so these come from the last media-retention run that
  // walked all of it (absent before the first, and while MEDIA_RETENTION_DAYS=0 runs none);
  // the timestamp tells how old they are. Labelled by backend, so the series can be dropped.
  const storedBytes = new Gauge({
    name: 'wagw_media_stored_bytes',
    help: 'Bytes in the media store, as counted by the last complete media-retention walk',
    labelNames: ['backend'] as const,
    registers: [registry],
  });
  const storedObjects = new Gauge({
    name: 'wagw_media_stored_objects',
    help: 'Files in the media store, as counted by the last complete media-retention walk',
    labelNames: ['backend'] as const,
    registers: [registry],
  });
  const storedAt = new Gauge({
    name: 'wagw_media_stored_timestamp_seconds',
    help: 'When the last complete media-retention walk counted the media store (Unix time)',
    labelNames: ['backend'] as const,
    registers: [registry],
  });
  const all = [events, bytes, storedBytes, storedObjects, storedAt];

  return {
    async refresh(): Promise<void> {
      const [counters, inventory] = await Promise.all([
        readMediaCounters(redis, prefix),
        readMediaInventory(redis, prefix),
      ]);
      for (const metric of all) metric.reset();
      // Every event, 0 until it happens, so rate() has a series from the first scrape.
      for (const event of MEDIA_EVENTS) {
        events.inc({ event }, counters[event].count);
        bytes.inc({ event }, counters[event].bytes);
      }
      if (!inventory) return;
      const backend = inventory.backend;
      storedBytes.set({ backend }, inventory.bytes);
      storedObjects.set({ backend }, inventory.objects);
      storedAt.set({ backend }, Math.floor(inventory.measuredAt.getTime() / 1000));
    },
    /** Redis could not be read: no series rather than stale ones. */
    reset(): void {
      for (const metric of all) metric.reset();
    },
  };
}
