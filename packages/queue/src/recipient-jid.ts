/**
 * Turns a recipient as users type it into the WhatsApp JID a send goes to, without asking WhatsApp:
 * a bare phone number (digits, optional leading +, spaces, dashes or dots between groups) or a
 * user JID (`<digits>@s.whatsapp.net`, `<digits>@lid`). Group, broadcast and newsletter JIDs are
 * refused. Whether the number is on WhatsApp is the worker's check (apps/worker/src/messaging).
 */
type RecipientResult = { ok: true; jid: string } | { ok: false; reason: string };

const PHONE = /^\+?[0-9][0-9 .\-()]{6,22}$/;

export function normalizeRecipient(input: string): RecipientResult {
  const value = input.trim();
  const at = value.indexOf('@');
  if (at >= 0) {
    const user = value.slice(0, at);
    const server = value.slice(at + 1);
    if (server !== 's.whatsapp.net' && server !== 'lid') {
      return { ok: false, reason: `unsupported JID server "${server}" (only @s.whatsapp.net and @lid)` };
    }
    if (!/^[0-9]{5,20}$/.test(user)) return { ok: false, reason: 'the JID user part must be digits' };
    return { ok: true, jid: `${user}@${server}` };
  }
  if (!PHONE.test(value))
    return { ok: false, reason: 'expected a phone number in international format or a JID' };
  const digits = value.replace(/[^0-9]/g, '');
  if (digits.length < 8 || digits.length > 15) {
    return { ok: false, reason: 'a phone number has 8 to 15 digits including the country code' };
  }
  if (digits.startsWith('0')) return { ok: false, reason: 'start with the country code, not 0' };
  return { ok: true, jid: `${digits}@s.whatsapp.net` };
}

/** A group id: WhatsApp's `<digits>@g.us` (or the older `<creator>-<time>@g.us`). */
const GROUP_USER = /^[0-9]{5,25}(-[0-9]{5,15})?$/;

/** A group id given with or without `@g.us`, as its JID; undefined when it is not one. */
export function normalizeGroupId(input: string): string | undefined {
  const value = input.trim();
  const user = value.endsWith('@g.us') ? value.slice(0, -'@g.us'.length) : value;
  return GROUP_USER.test(user) ? `${user}@g.us` : undefined;
}

/**
 * Where a message may go: a person (normalizeRecipient) or a group by its JID. A group must carry
 * `@g.us` here, since a bare number is read as a phone number.
 */
export function normalizeSendTarget(input: string): RecipientResult {
  const value = input.trim();
  if (value.endsWith('@g.us')) {
    const jid = normalizeGroupId(value);
    return jid
      ? { ok: true, jid }
      : { ok: false, reason: 'a group JID is digits (optionally digits-digits) @g.us' };
  }
  return normalizeRecipient(value);
}
