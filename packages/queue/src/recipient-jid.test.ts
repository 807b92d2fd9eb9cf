import { describe, expect, it } from 'vitest';
import { normalizeRecipient } from './recipient-jid.js';

describe('normalizeRecipient', () => {
  it.each([
    ['15551234567', '15551234567@s.whatsapp.net'],
    ['+1 555-123-4567', '15551234567@s.whatsapp.net'],
    ['15551234567@s.whatsapp.net', '15551234567@s.whatsapp.net'],
    ['123456789012345@lid', '123456789012345@lid'],
  ])('accepts %s', (input, jid) => {
    expect(normalizeRecipient(input)).toEqual({ ok: true, jid });
  });

  it.each([
    ['', 'expected a phone number in international format or a JID'],
    ['abc', 'expected a phone number in international format or a JID'],
    ['123', 'expected a phone number in international format or a JID'],
    ['0555123456', 'start with the country code, not 0'],
    ['1234567890123456789', 'a phone number has 8 to 15 digits including the country code'],
    ['120363@g.us', 'unsupported JID server "g.us" (only @s.whatsapp.net and @lid)'],
    ['x@s.whatsapp.net', 'the JID user part must be digits'],
  ])('refuses %j with a reason', (input, reason) => {
    expect(normalizeRecipient(input)).toEqual({ ok: false, reason });
  });
});
