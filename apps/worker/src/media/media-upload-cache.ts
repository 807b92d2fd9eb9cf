import type { CacheStore } from '@whiskeysockets/baileys';
import { TtlCache } from '../messaging/ttl-cache.js';

/** Media messages remembered, each a few hundred bytes plus its thumbnail (~1-2 KB): about 2 MB. */
const MAX_ENTRIES = 1000;
/**
 * How long an upload is reused. WhatsApp keeps uploaded media for weeks; an hour keeps a long,
 * paced bulk on a handful of uploads while a stale CDN entry can never outlive it by much.
 */
const TTL_MS = 3600_000;

/**
 * Baileys' `mediaCache`, one per worker and shared by all its sockets: Baileys stores the uploaded
 * media message under `<type>:<url>` and reuses it for the next send of the same file instead of
 * uploading again. Outgoing files are local paths named by their content (see outgoing-media.ts),
 * so a bulk of one image to 1,000 recipients, on any session of this worker, uploads it once.
 */
export function createMediaUploadCache(): CacheStore {
  const cache = new TtlCache<unknown>(MAX_ENTRIES, TTL_MS);
  return {
    get: <T>(key: string) => cache.get(key) as T | undefined,
    set: <T>(key: string, value: T) => cache.set(key, value),
    del: (key: string) => cache.delete(key),
    flushAll: () => cache.clear(),
  };
}
