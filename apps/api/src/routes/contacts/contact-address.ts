import { normalizeRecipient } from '@wagw/queue';

/** A number or user JID as given, read as WhatsApp addresses it. */
export type ContactAddress =
  | { kind: 'phone'; input: string; phone: string; jid: string }
  | { kind: 'lid'; input: string; lid: string }
  | { kind: 'invalid'; input: string; reason: string };

/**
 * Reads a phone number (international format, separators allowed), a `…@s.whatsapp.net` JID or a
 * `…@lid` JID: clients need not know which form WhatsApp uses for a person.
 */
export function readContactAddress(input: string): ContactAddress {
  const read = normalizeRecipient(input);
  if (!read.ok) return { kind: 'invalid', input, reason: read.reason };
  if (read.jid.endsWith('@lid')) return { kind: 'lid', input, lid: read.jid };
  const phone = read.jid.split('@')[0] ?? '';
  if (!/^[1-9][0-9]{7,14}$/.test(phone)) {
    return {
      kind: 'invalid',
      input,
      reason: 'a phone number has 8 to 15 digits and starts with the country code',
    };
  }
  return { kind: 'phone', input, phone, jid: read.jid };
}
