import type { CacheStore } from '@whiskeysockets/baileys';

/**
 * Signal keys one socket keeps in memory (`type.id` entries: sessions with each peer device, sender
 * keys, pre-keys...). Without a cache every message encrypted read its peer's session record from
 * the database and wrote it back (bench/delivery.bench.ts, docs/benchmarks.md "Outbound delivery
 * rate"). Bounded: a worker holds up to MAX_SESSIONS_PER_WORKER sockets, and a bulk send to
 * thousands of recipients must not keep each one's record; 500 entries of a few KiB each stay well
 * under a megabyte per socket.
 */
const SIGNAL_KEY_CACHE_ENTRIES = 500;
/** An entry not read or written for this long is dropped (Baileys' own default for this cache). */
const SIGNAL_KEY_CACHE_TTL_MS = 5 * 60_000;

interface Entry {
  value: unknown;
  expiresAt: number;
}

/**
 * A least-recently-used map with a per-entry idle TTL, in the shape Baileys'
 * `makeCacheableSignalKeyStore` takes. It lives exactly as long as the socket whose auth state
 * holds it (loadDbAuthState builds one per socket): a reconnect, a stop or a lease takeover starts
 * from the database, so no worker ever reads keys another worker has since changed.
 */
export function createSignalKeyCache(
  maxEntries = SIGNAL_KEY_CACHE_ENTRIES,
  ttlMs = SIGNAL_KEY_CACHE_TTL_MS,
  now: () => number = Date.now,
): CacheStore & { readonly size: number } {
  const entries = new Map<string, Entry>();
  return {
    get size() {
      return entries.size;
    },
    get<T>(key: string): T | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= now()) return undefined;
      // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
      entry.expiresAt = now() + ttlMs;
      entries.set(key, entry);
      return entry.value as T;
    },
    set<T>(key: string, value: T): void {
      entries.delete(key);
      // A deleted key (Baileys writes null) is forgotten, not cached as null: Baileys' store would
      // hand the null back as if the key existed, where the database store leaves it out.
      if (value === null || value === undefined) return;
      entries.set(key, { value, expiresAt: now() + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },
    del(key: string): void {
      entries.delete(key);
    },
    flushAll(): void {
      entries.clear();
    },
  };
}
