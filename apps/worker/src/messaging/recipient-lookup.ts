import type { WASocket } from '@whiskeysockets/baileys';
import { TtlCache } from './ttl-cache.js';

/** Recipients remembered per session; a number's WhatsApp registration rarely changes within a day. */
const MAX_RECIPIENTS = 5000;
const RECIPIENT_TTL_MS = 24 * 3600_000;

/**
 * "Is this number on WhatsApp?", asked once per recipient per day (`onWhatsApp` is a usync query,
 * and WhatsApp rate-limits those as hard as messages). LID recipients cannot be checked this way
 * and are assumed to exist. A lookup that fails is not cached and does not block the send.
 */
export function createRecipientLookup() {
  const known = new TtlCache<boolean>(MAX_RECIPIENTS, RECIPIENT_TTL_MS);
  return {
    async exists(sock: Pick<WASocket, 'onWhatsApp'>, jid: string): Promise<boolean | undefined> {
      if (!jid.endsWith('@s.whatsapp.net')) return true;
      const cached = known.get(jid);
      if (cached !== undefined) return cached;
      const results = await sock.onWhatsApp(jid).catch(() => undefined);
      if (!results) return undefined;
      const exists = results.some((r) => r.exists);
      known.set(jid, exists);
      return exists;
    },
  };
}

export type RecipientLookup = ReturnType<typeof createRecipientLookup>;
