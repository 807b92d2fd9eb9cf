import type { SignalDataSet, SignalKeyStore } from '@whiskeysockets/baileys';

export interface LidPair {
  /** `<digits>@s.whatsapp.net` */
  pn: string;
  /** `<digits>@lid` */
  lid: string;
}

/**
 * The PN↔LID pairs in one write to Baileys' key store. Baileys keeps each pair it learns (from
 * usync, message envelopes, history, notifications) as `lid-mapping` keys: `<pnUser>` → `<lidUser>`
 * and `<lidUser>_reverse` → `<pnUser>` (Signal/lid-mapping.js, storeLIDPNMappings). Every way it
 * learns one ends in such a write, so watching the writes catches what events alone would miss.
 */
export function lidPairsOf(data: SignalDataSet): LidPair[] {
  const entries = data['lid-mapping'];
  if (!entries) return [];
  const pairs: LidPair[] = [];
  for (const [id, value] of Object.entries(entries)) {
    if (id.endsWith('_reverse') || typeof value !== 'string') continue;
    if (!/^[0-9]+$/.test(id) || !/^[0-9]+$/.test(value)) continue;
    pairs.push({ pn: `${id}@s.whatsapp.net`, lid: `${value}@lid` });
  }
  return pairs;
}

/**
 * The pairs the session's key store holds for these users (`<digits>@s.whatsapp.net` or
 * `<digits>@lid`, a device suffix ignored): one batched read of the keys above, never a network
 * query (Baileys' own `getLIDsForPNs` asks WhatsApp about numbers it does not know).
 */
export async function storedLidPairs(
  keys: Pick<SignalKeyStore, 'get'>,
  jids: readonly string[],
): Promise<LidPair[]> {
  const ids = new Set<string>();
  for (const jid of jids) {
    const match = /^([0-9]+)(?::[0-9]+)?@(s\.whatsapp\.net|lid)$/.exec(jid);
    if (!match) continue;
    ids.add(match[2] === 'lid' ? `${match[1]}_reverse` : `${match[1]}`);
  }
  if (ids.size === 0) return [];
  const found = await keys.get('lid-mapping', [...ids]);
  const pairs: LidPair[] = [];
  for (const [id, value] of Object.entries(found)) {
    if (typeof value !== 'string' || !/^[0-9]+$/.test(value)) continue;
    const reverse = id.endsWith('_reverse');
    const user = reverse ? id.slice(0, -'_reverse'.length) : id;
    const [pn, lid] = reverse ? [value, user] : [user, value];
    pairs.push({ pn: `${pn}@s.whatsapp.net`, lid: `${lid}@lid` });
  }
  return pairs;
}
