import { normalizeMessageContent, type WAMessage } from '@whiskeysockets/baileys';
import type { LidPair } from '../sessions/lid-mapping-keys.js';

/** A mentioned user as stored and shown: by phone number when the session knows it, and its LID. */
export interface MentionAddress {
  jid: string;
  lid: string | null;
}

/**
 * The users a message mentions: `contextInfo.mentionedJid` of whichever content it carries, inside
 * the ephemeral/view-once wrappers too.
 */
export function mentionedJids(message: WAMessage['message']): string[] {
  const content = normalizeMessageContent(message);
  if (!content) return [];
  for (const value of Object.values(content)) {
    const jids = (value as { contextInfo?: { mentionedJid?: string[] | null } } | null)?.contextInfo
      ?.mentionedJid;
    if (jids && jids.length > 0) return [...jids];
  }
  return [];
}

/**
 * Each mentioned user once, the way `from` and `author` name people: the phone JID when `pairs`
 * know it (mentions in LID-addressed groups arrive as LIDs), with the LID when known. A user
 * nobody told the session about stays as WhatsApp named it.
 */
export function mentionAddresses(jids: readonly string[], pairs: readonly LidPair[]): MentionAddress[] {
  const byPn = new Map(pairs.map((pair) => [pair.pn, pair]));
  const byLid = new Map(pairs.map((pair) => [pair.lid, pair]));
  const seen = new Map<string, MentionAddress>();
  for (const raw of jids) {
    const jid = raw.replace(/:[0-9]+@/, '@');
    const pair = byPn.get(jid) ?? byLid.get(jid);
    const address = pair ? { jid: pair.pn, lid: pair.lid } : { jid, lid: jid.endsWith('@lid') ? jid : null };
    if (!seen.has(address.jid)) seen.set(address.jid, address);
  }
  return [...seen.values()];
}
