import { describe, expect, it } from 'vitest';
import { toBaileysContent, typedLength } from './content.js';

const target = { id: '3EB0ABC', remoteJid: '15557654321@s.whatsapp.net', fromMe: false };

describe('toBaileysContent', () => {
  it('text', () => {
    expect(toBaileysContent({ type: 'text', text: 'hi' })).toEqual({ content: { text: 'hi' } });
  });

  it('reply quotes the original with its key and text', () => {
    expect(toBaileysContent({ type: 'reply', text: 'yes', quoted: { ...target, text: 'ok?' } })).toEqual({
      content: { text: 'yes' },
      quoted: { key: target, message: { conversation: 'ok?' } },
    });
  });

  it('location keeps optional fields out when absent', () => {
    expect(toBaileysContent({ type: 'location', latitude: 52.5, longitude: 13.4 })).toEqual({
      content: { location: { degreesLatitude: 52.5, degreesLongitude: 13.4 } },
    });
    expect(
      toBaileysContent({ type: 'location', latitude: 1, longitude: 2, name: 'Office', address: 'Main St' })
        .content,
    ).toEqual({ location: { degreesLatitude: 1, degreesLongitude: 2, name: 'Office', address: 'Main St' } });
  });

  it('contact card', () => {
    expect(toBaileysContent({ type: 'contact', displayName: 'Ann', vcard: 'BEGIN:VCARD' }).content).toEqual({
      contacts: { displayName: 'Ann', contacts: [{ vcard: 'BEGIN:VCARD' }] },
    });
  });

  it('reaction targets the message key', () => {
    expect(toBaileysContent({ type: 'reaction', emoji: '👍', target }).content).toEqual({
      react: { text: '👍', key: target },
    });
  });

  it('typed length counts only what a person types', () => {
    expect(typedLength({ type: 'text', text: 'hello' })).toBe(5);
    expect(typedLength({ type: 'reaction', emoji: '👍', target })).toBe(0);
  });
});
