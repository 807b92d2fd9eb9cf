import type { SignalDataSet } from '@whiskeysockets/baileys';

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
