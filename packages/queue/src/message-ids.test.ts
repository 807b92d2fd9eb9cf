import { describe, expect, it } from 'vitest';
import { normalizeRecipient, waMessageIdFor } from './index.js';

describe('waMessageIdFor', () => {
  it('is deterministic and shaped like a Baileys id', () => {
    expect(waMessageIdFor('01ABC')).toBe(waMessageIdFor('01ABC'));
    expect(waMessageIdFor('01ABC')).not.toBe(waMessageIdFor('01ABD'));
    expect(waMessageIdFor('01ABC')).toMatch(/^3EB0[0-9A-F]{18}$/);
  });
});

describe('normalizeRecipient', () => {
  it.each([
    ['15551234567', '15551234567@s.whatsapp.net'],
    ['+1 555-123-4567', '15551234567@s.whatsapp.net'],
    ['15551234567@s.whatsapp.net', '15551234567@s.whatsapp.net'],
    ['123456789012345@lid', '123456789012345@lid'],
  ])('accepts %s', (input, jid) => {
    expect(normalizeRecipient(input)).toEqual({ ok: true, jid });
  });

  it.each(['', 'abc', '123', '0555123456', '1234567890123456789', '120363@g.us', 'x@s.whatsapp.net'])(
    'refuses %j with a reason',
    (input) => {
      const result = normalizeRecipient(input);
      expect(result.ok).toBe(false);
    },
  );
});
