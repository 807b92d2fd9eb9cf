/**
 * A minimal vCard 3.0 (RFC 2426) for a contact message. `waid` on TEL is what WhatsApp clients
 * use to offer "Message" / "Add" for the number, so it carries the digits of the phone number.
 */
export interface ContactCard {
  fullName: string;
  phone: string;
  organization?: string;
}

/** Escapes the characters RFC 2426 reserves in text values. */
function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/,/g, '\\,').replace(/;/g, '\\;');
}

export function buildVcard(card: ContactCard): string {
  const digits = card.phone.replace(/[^0-9]/g, '');
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${escapeText(card.fullName)}`];
  if (card.organization) lines.push(`ORG:${escapeText(card.organization)}`);
  lines.push(`TEL;type=CELL;type=VOICE;waid=${digits}:${card.phone.trim()}`, 'END:VCARD');
  return lines.join('\n');
}

/** The display name of a raw vCard: its FN line, else "Contact". */
export function vcardDisplayName(vcard: string): string {
  const fn = /^FN(?:;[^:]*)?:(.*)$/im.exec(vcard)?.[1]?.trim();
  return fn ? fn.replace(/\\(.)/g, '$1').slice(0, 256) : 'Contact';
}
