import { type MediaEvent, metricsKeys, type RedisConnection, readCounterHash } from '@wagw/queue';

// A record, so an event added to MediaEvent without a line here does not compile.
const EVENTS: Record<MediaEvent, true> = {
  stored: true,
  fetched: true,
  received: true,
  sent: true,
  failed: true,
  deleted: true,
};

/** Every media event, in a stable order (the label values of wagw_media_*_total). */
export const MEDIA_EVENTS = Object.keys(EVENTS) as MediaEvent[];

export type MediaCounters = Record<MediaEvent, { count: number; bytes: number }>;

/**
 * The media counters every process writes with `recordMedia` (API uploads, worker fetches,
 * receives and sends, scheduler retention), summed over the gateway; 0 for an event not seen yet.
 */
export async function readMediaCounters(redis: RedisConnection, prefix: string): Promise<MediaCounters> {
  const hash = await readCounterHash(redis, metricsKeys(prefix).media);
  const out = {} as MediaCounters;
  for (const event of MEDIA_EVENTS)
    out[event] = { count: hash[`${event}:count`] ?? 0, bytes: hash[`${event}:bytes`] ?? 0 };
  return out;
}
