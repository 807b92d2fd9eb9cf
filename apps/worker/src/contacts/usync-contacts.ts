import type { ContactCheckResult } from '@wagw/queue';
import { jidDecode, jidNormalizedUser } from '@whiskeysockets/baileys';

/** One `<user>` of a usync answer as Baileys parses it: `contact` from the contact protocol, `lid` from the LID one. */
export interface UsyncContactEntry {
  id: string;
  contact?: unknown;
  lid?: unknown;
}

/**
 * Pairs the users of a usync contact answer with the numbers asked for. WhatsApp answers with the
 * account's canonical JID, which is the number asked for in all but a few national quirks (Brazil's
 * ninth digit); answers whose JID matches no number are paired in order with the numbers left over
 * when both counts agree. A number without an answer is not on WhatsApp.
 */
export function matchUsyncContacts(
  phones: readonly string[],
  list: readonly UsyncContactEntry[],
): ContactCheckResult[] {
  const byUser = new Map<string, UsyncContactEntry>();
  for (const entry of list) {
    const user = jidDecode(entry.id)?.user;
    if (user) byUser.set(user, entry);
  }
  const matched = new Map<string, UsyncContactEntry>();
  for (const phone of phones) {
    const entry = byUser.get(phone);
    if (entry) matched.set(phone, entry);
  }
  const taken = new Set(matched.values());
  const leftEntries = list.filter((entry) => !taken.has(entry));
  const leftPhones = phones.filter((phone) => !matched.has(phone));
  if (leftEntries.length === leftPhones.length) {
    leftPhones.forEach((phone, i) => {
      matched.set(phone, leftEntries[i] as UsyncContactEntry);
    });
  }
  return phones.map((phone) => {
    const entry = matched.get(phone);
    const exists = entry?.contact === true;
    return {
      phone,
      exists,
      jid: exists && entry ? jidNormalizedUser(entry.id) : null,
      lid: exists && typeof entry?.lid === 'string' && entry.lid.endsWith('@lid') ? entry.lid : null,
    };
  });
}
