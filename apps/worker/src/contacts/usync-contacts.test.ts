import { describe, expect, it } from 'vitest';
import { matchUsyncContacts } from './usync-contacts.js';

describe('matchUsyncContacts', () => {
  it('matches answers by number, whatever their order, and reads LIDs only for users on WhatsApp', () => {
    const results = matchUsyncContacts(
      ['15550000001', '15550000002', '15550000003'],
      [
        { id: '15550000002@s.whatsapp.net', contact: false },
        { id: '15550000001@s.whatsapp.net', contact: true, lid: '900001@lid' },
        { id: '15550000003@s.whatsapp.net', contact: true },
      ],
    );
    expect(results).toEqual([
      { phone: '15550000001', exists: true, jid: '15550000001@s.whatsapp.net', lid: '900001@lid' },
      { phone: '15550000002', exists: false, jid: null, lid: null },
      { phone: '15550000003', exists: true, jid: '15550000003@s.whatsapp.net', lid: null },
    ]);
  });

  it('pairs a canonicalised JID with the one number left over (Brazil without the ninth digit)', () => {
    const [result] = matchUsyncContacts(
      ['5511987654321'],
      [{ id: '551187654321@s.whatsapp.net', contact: true, lid: '7@lid' }],
    );
    expect(result).toEqual({
      phone: '5511987654321',
      exists: true,
      jid: '551187654321@s.whatsapp.net',
      lid: '7@lid',
    });
  });

  it('counts a number WhatsApp did not answer for as not on WhatsApp', () => {
    const results = matchUsyncContacts(
      ['15550000001', '15550000002'],
      [{ id: '15550000001@s.whatsapp.net', contact: true }],
    );
    expect(results.map((r) => r.exists)).toEqual([true, false]);
  });
});
