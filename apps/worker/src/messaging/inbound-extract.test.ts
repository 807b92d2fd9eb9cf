import { describe, expect, it } from 'vitest';
import { chatJid, toContactUpsert } from './inbound.js';
import { extractInbound } from './inbound-extract.js';

describe('extractInbound', () => {
  it('conversation and extended text are text', () => {
    expect(extractInbound({ conversation: 'hi' })).toEqual({ type: 'text', payload: { text: 'hi' } });
    expect(extractInbound({ extendedTextMessage: { text: 'link https://x' } })).toEqual({
      type: 'text',
      payload: { text: 'link https://x' },
    });
  });

  it('unwraps ephemeral messages', () => {
    expect(extractInbound({ ephemeralMessage: { message: { conversation: 'secret' } } })).toEqual({
      type: 'text',
      payload: { text: 'secret' },
    });
  });

  it('location, contact, reaction', () => {
    expect(
      extractInbound({ locationMessage: { degreesLatitude: 1.5, degreesLongitude: -2, name: 'Cafe' } }),
    ).toEqual({ type: 'location', payload: { latitude: 1.5, longitude: -2, name: 'Cafe' } });
    expect(extractInbound({ contactMessage: { displayName: 'Ann', vcard: 'BEGIN:VCARD' } })).toEqual({
      type: 'contact',
      payload: { displayName: 'Ann', vcard: 'BEGIN:VCARD' },
    });
    expect(
      extractInbound({
        reactionMessage: { text: '❤️', key: { id: 'X', remoteJid: 'a@s.whatsapp.net', fromMe: true } },
      }),
    ).toEqual({
      type: 'reaction',
      payload: { emoji: '❤️', target: { id: 'X', remoteJid: 'a@s.whatsapp.net', fromMe: true } },
    });
  });

  it('other kinds are stored as unsupported with their keys, envelope keys left out', () => {
    expect(
      extractInbound({
        imageMessage: { caption: 'pic' },
        messageContextInfo: { messageSecret: new Uint8Array(1) },
      }),
    ).toEqual({ type: 'unsupported', payload: { keys: ['imageMessage'] } });
  });

  it('protocol messages and empty ones are not stored', () => {
    expect(extractInbound({ protocolMessage: { type: 0 } })).toBeNull();
    expect(extractInbound({})).toBeNull();
    expect(extractInbound(null)).toBeNull();
  });
});

describe('chatJid and contacts', () => {
  it('prefers the phone-number jid of a LID-addressed message', () => {
    expect(chatJid({ remoteJid: '888@lid', remoteJidAlt: '1555@s.whatsapp.net' })).toEqual({
      jid: '1555@s.whatsapp.net',
      lid: '888@lid',
    });
    expect(chatJid({ remoteJid: '1555@s.whatsapp.net', remoteJidAlt: '888@lid' })).toEqual({
      jid: '1555@s.whatsapp.net',
      lid: '888@lid',
    });
  });

  it("maps Baileys contacts, ignoring imgUrl 'changed'", () => {
    expect(
      toContactUpsert({
        id: '888@lid',
        phoneNumber: '1555@s.whatsapp.net',
        notify: 'Bob',
        imgUrl: 'changed',
      }),
    ).toEqual({
      jid: '1555@s.whatsapp.net',
      lid: '888@lid',
      name: null,
      notify: 'Bob',
      imgUrl: null,
    });
    expect(toContactUpsert({})).toBeNull();
  });
});
