import type { Logger } from '@wagw/logger';
import { withTimeout } from '@wagw/resilience';
import { TtlCache } from './ttl-cache.js';

/** Picture URLs remembered per session: WhatsApp's CDN URLs stay valid for hours. */
const MAX_PICTURES = 2000;
const PICTURE_TTL_MS = 6 * 3600_000;
/** A failed or empty lookup is not repeated for this long (no thundering retries per message). */
const MISS_TTL_MS = 10 * 60_000;

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

  async function fetchOne(lookup: PictureLookup, jid: string): Promise<void> {
    try {
      // The lookup takes no signal: after a timeout it is left to settle on its own, unobserved.
      const url = await withTimeout(() => lookup(jid), deps.timeoutMs);
      cache.set(jid, url ?? null, url ? PICTURE_TTL_MS : MISS_TTL_MS);
      if (url) await deps.store(jid, url);
    } catch (err) {
      cache.set(jid, null, MISS_TTL_MS);
      deps.logger.debug({ err, sessionId: deps.sessionId }, 'profile picture lookup failed');
    } finally {
      inFlight.delete(jid);
    }
  }

  return {
    /** Starts a lookup unless one is cached or running; never throws, never waits. */
    refresh(lookup: PictureLookup, jid: string): void {
      if (inFlight.has(jid) || cache.get(jid) !== undefined) return;
      inFlight.add(jid);
      void fetchOne(lookup, jid);
    },
    /** WhatsApp said the picture changed: the next refresh looks it up again. */
    invalidate(jid: string): void {
      cache.set(jid, null, 0);
    },
    cached: (jid: string) => cache.get(jid),
  };
}

export type ProfilePictures = ReturnType<typeof createProfilePictures>;
