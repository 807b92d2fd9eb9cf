import type { Logger } from '@wagw/logger';
import { withTimeout } from '@wagw/resilience';
import { TtlCache } from './ttl-cache.js';

/** Picture URLs remembered per session: WhatsApp's CDN URLs stay valid for hours. */
const MAX_PICTURES = 2000;
const PICTURE_TTL_MS = 6 * 3600_000;
/** An empty lookup, or one that failed every retry, is not repeated for this long (no thundering retries per message). */
const MISS_TTL_MS = 10 * 60_000;
/**
 * A lookup that failed (timed out, or the socket closed under it: a reconnect mid-flood) is tried
 * again after these delays instead of counting as "no picture" for ten minutes: the sender may
 * not write again for hours. Bounded in count, and in contacts waiting (MAX_PICTURES).
 */
const RETRY_DELAYS_MS = [2_000, 10_000, 30_000];

export interface ProfilePictureDeps {
  sessionId: string;
  logger: Logger;
  /** PROFILE_PICTURE_TIMEOUT. */
  timeoutMs: number;
  /** Stores a found URL on the contact. */
  store: (jid: string, url: string) => Promise<void>;
}

export type PictureLookup = (jid: string) => Promise<string | undefined>;

/**
 * Profile pictures of the people a session talks to: looked up at most once per TTL per contact,
 * raced against a timeout, failures isolated (a lookup that hangs or throws never holds up an
 * inbound message or a send), and stored on the contact row.
 */
export function createProfilePictures(deps: ProfilePictureDeps) {
  const cache = new TtlCache<string | null>(MAX_PICTURES, PICTURE_TTL_MS);
  const inFlight = new Set<string>();
  /** Contacts whose lookup failed and waits for a retry: failures so far, and the timer. */
  const retrying = new Map<string, { failures: number; timer: NodeJS.Timeout }>();
  let disposed = false;

  async function fetchOne(lookup: PictureLookup, jid: string, failures: number): Promise<void> {
    try {
      // The lookup takes no signal: after a timeout it is left to settle on its own, unobserved.
      const url = await withTimeout(() => lookup(jid), deps.timeoutMs);
      cache.set(jid, url ?? null, url ? PICTURE_TTL_MS : MISS_TTL_MS);
      if (url) await deps.store(jid, url);
    } catch (err) {
      deps.logger.debug(
        { err, sessionId: deps.sessionId, failures: failures + 1 },
        'profile picture lookup failed',
      );
      const delay = RETRY_DELAYS_MS[failures];
      if (delay === undefined || disposed || retrying.size >= MAX_PICTURES) cache.set(jid, null, MISS_TTL_MS);
      else {
        const timer = setTimeout(() => {
          retrying.delete(jid);
          start(lookup, jid, failures + 1);
        }, delay);
        timer.unref();
        retrying.set(jid, { failures: failures + 1, timer });
      }
    } finally {
      inFlight.delete(jid);
    }
  }

  function start(lookup: PictureLookup, jid: string, failures: number): void {
    if (disposed || inFlight.has(jid) || retrying.has(jid) || cache.get(jid) !== undefined) return;
    inFlight.add(jid);
    void fetchOne(lookup, jid, failures);
  }

  return {
    /** Starts a lookup unless one is cached, running or waiting to retry; never throws, never waits. */
    refresh(lookup: PictureLookup, jid: string): void {
      start(lookup, jid, 0);
    },
    /** WhatsApp said the picture changed: the next refresh looks it up again. */
    invalidate(jid: string): void {
      cache.set(jid, null, 0);
    },
    cached: (jid: string) => cache.get(jid),
    /** Lookups waiting to be retried (for tests and diagnostics). */
    retrying: () => retrying.size,
    /** The session ends here: no retry fires after this. */
    dispose(): void {
      disposed = true;
      for (const { timer } of retrying.values()) clearTimeout(timer);
      retrying.clear();
    },
  };
}

export type ProfilePictures = ReturnType<typeof createProfilePictures>;
