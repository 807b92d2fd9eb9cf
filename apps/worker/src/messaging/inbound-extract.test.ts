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
        pollCreationMessage: { name: 'lunch?' },
        messageContextInfo: { messageSecret: new Uint8Array(1) },
      }),
    ).toEqual({ type: 'unsupported', payload: { keys: ['pollCreationMessage'] } });
  });

  it('protocol messages and empty ones are not stored', () => {
    expect(extractInbound({ protocolMessage: { type: 0 } })).toBeNull();
    expect(extractInbound({})).toBeNull();
    expect(extractInbound(null)).toBeNull();
  });
});

describe('extractInbound: media', () => {
  const MiB = 1024 * 1024;
  const key = new Uint8Array(32).fill(7);
  const file = (extra: Record<string, unknown> = {}) => ({
    url: 'https://mmg.whatsapp.net/v/t62.7118-24/1_2_3_n.enc?ccb=11-4&mms3=true',
    directPath: '/v/t62.7118-24/1_2_3_n.enc?ccb=11-4',
    mediaKey: key,
    fileEncSha256: new Uint8Array(32).fill(1),
    fileSha256: new Uint8Array(32).fill(2),
    fileLength: 1234,
    ...extra,
  });
  const descriptor = (mediaType: string, mimetype: string, fileLength = 1234) => ({
    mediaType,
    url: 'https://mmg.whatsapp.net/v/t62.7118-24/1_2_3_n.enc?ccb=11-4&mms3=true',
    directPath: '/v/t62.7118-24/1_2_3_n.enc?ccb=11-4',
    mediaKey: Buffer.from(key).toString('base64'),
    fileEncSha256: Buffer.alloc(32, 1).toString('base64'),
    fileSha256: Buffer.alloc(32, 2).toString('base64'),
    fileLength,
    mimetype,
  });

  it('each kind: its type, a pending payload with caption, file name and duration, and a download', () => {
    expect(extractInbound({ imageMessage: file({ caption: 'pic', mimetype: 'image/jpeg' }) })).toEqual({
      type: 'image',
      payload: { caption: 'pic', mimetype: 'image/jpeg', media: { pending: true } },
      download: descriptor('image', 'image/jpeg'),
    });
    expect(extractInbound({ videoMessage: file({ mimetype: 'video/mp4', seconds: 9 }) })).toMatchObject({
      type: 'video',
      payload: { mimetype: 'video/mp4', seconds: 9, media: { pending: true } },
      download: { mediaType: 'video' },
    });
    expect(extractInbound({ audioMessage: file({ mimetype: 'audio/mpeg', seconds: 3 }) })).toMatchObject({
      type: 'audio',
      payload: { seconds: 3 },
      download: { mediaType: 'audio' },
    });
    expect(
      extractInbound({ audioMessage: file({ mimetype: 'audio/ogg; codecs=opus', ptt: true }) }),
    ).toMatchObject({ type: 'voice', download: { mediaType: 'audio', mimetype: 'audio/ogg; codecs=opus' } });
    expect(extractInbound({ stickerMessage: file({ mimetype: 'image/webp' }) })).toMatchObject({
      type: 'sticker',
      download: { mediaType: 'sticker' },
    });
    const pdf = file({ mimetype: 'application/pdf', fileName: 'invoice.pdf', caption: 'May' });
    expect(extractInbound({ documentMessage: pdf })).toEqual({
      type: 'document',
      payload: {
        caption: 'May',
        fileName: 'invoice.pdf',
        mimetype: 'application/pdf',
        media: { pending: true },
      },
      download: descriptor('document', 'application/pdf'),
    });
  });

  it('a document with a caption is unwrapped; the media key never reaches the payload', () => {
    const extracted = extractInbound({
      documentWithCaptionMessage: {
        message: { documentMessage: file({ fileName: 'a.txt', caption: 'see', mimetype: 'text/plain' }) },
      },
    });
    expect(extracted).toMatchObject({ type: 'document', payload: { fileName: 'a.txt', caption: 'see' } });
    expect(JSON.stringify(extracted?.payload)).not.toContain(Buffer.from(key).toString('base64'));
  });

  it('refuses unread a file declared over its cap: image 16 MiB, sticker 1 MiB, others MEDIA_MAX_BYTES', () => {
    const limits = { mediaMaxBytes: 64 * MiB };
    const over = (field: string, length: number, extra: Record<string, unknown> = {}) =>
      extractInbound({ [field]: file({ fileLength: length, ...extra }) }, limits);
    expect(over('imageMessage', 16 * MiB)).toMatchObject({ download: { fileLength: 16 * MiB } });
    expect(over('imageMessage', 16 * MiB + 1)).toEqual({
      type: 'image',
      payload: {
        media: {
          error: `the image is ${16 * MiB + 1} bytes, over the ${16 * MiB}-byte limit for received media of this type`,
        },
      },
    });
    expect(over('stickerMessage', MiB + 1)?.payload.media).toHaveProperty('error');
    expect(over('audioMessage', 16 * MiB + 1, { ptt: true })).toMatchObject({ type: 'voice' });
    expect(over('audioMessage', 16 * MiB + 1, { ptt: true })?.payload.media).toHaveProperty('error');
    expect(over('videoMessage', 64 * MiB)).toHaveProperty('download');
    expect(over('videoMessage', 64 * MiB + 1)).not.toHaveProperty('download');
    expect(over('documentMessage', 64 * MiB + 1)?.payload.media).toHaveProperty('error');
    // MEDIA_MAX_BYTES below a type's cap wins.
    const small = extractInbound({ imageMessage: file({ fileLength: 2 * MiB }) }, { mediaMaxBytes: MiB });
    expect(small?.payload.media).toHaveProperty('error');
  });

  it('a file without a media key or location is stored with an error instead of a download', () => {
    expect(extractInbound({ imageMessage: { caption: 'pic' } })).toEqual({
      type: 'image',
      payload: { caption: 'pic', media: { error: 'the message carries no media key' } },
    });
    expect(extractInbound({ imageMessage: file({ url: null, directPath: null }) })?.payload.media).toEqual({
      error: 'the message carries no media location',
    });
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
