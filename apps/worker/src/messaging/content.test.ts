import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir } from '@wagw/testing';
import { generateWAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import {
  isMediaPayload,
  type MediaPayload,
  toBaileysContent,
  toMediaContent,
  typedLength,
} from './content.js';

const target = { id: '3EB0ABC', remoteJid: '15557654321@s.whatsapp.net', fromMe: false };
const GROUP = '120363000000000001@g.us';
const ME = '15559990000@s.whatsapp.net';
/** Baileys' media upload, answered without a CDN (the bytes are not looked at). */
const noUpload = async () => ({ mediaUrl: 'https://mmg.whatsapp.net/x', directPath: '/x' });

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

  it("mentions end in Baileys' contextInfo.mentionedJid, beside a reply's quote", async () => {
    const mentions = ['15550001111@s.whatsapp.net', '100200300400500@lid'];
    const text = await generateWAMessage(
      GROUP,
      toBaileysContent({ type: 'text', text: '@x', mentions }).content,
      {
        userJid: ME,
        upload: noUpload,
      },
    );
    expect(text.message?.extendedTextMessage?.contextInfo?.mentionedJid).toEqual(mentions);

    const reply = toBaileysContent({
      type: 'reply',
      text: 'yes',
      mentions,
      quoted: { ...target, text: 'ok?' },
    });
    const sent = await generateWAMessage(GROUP, reply.content, {
      userJid: ME,
      upload: noUpload,
      ...(reply.quoted ? { quoted: reply.quoted } : {}),
    });
    expect(sent.message?.extendedTextMessage?.contextInfo).toMatchObject({
      mentionedJid: mentions,
      stanzaId: target.id,
      quotedMessage: { conversation: 'ok?' },
    });
  });

  it('typed length counts only what a person types', () => {
    expect(typedLength({ type: 'text', text: 'hello' })).toBe(5);
    expect(typedLength({ type: 'reaction', emoji: '👍', target })).toBe(0);
  });
});

describe('toMediaContent', () => {
  const stored = { id: 'a'.repeat(64), sha256: 'a'.repeat(64), size: 10, mimetype: 'image/jpeg' };
  const file = (mimetype: string) => ({ path: '/media/aa/aa/file', mimetype });
  const payload = <T extends MediaPayload['type']>(type: T, extra: Partial<MediaPayload> = {}) =>
    ({ type, media: stored, ...extra }) as MediaPayload;

  it('sends the local file by path, so Baileys can stream it and its media cache can hit', () => {
    expect(toMediaContent(payload('image', { caption: 'look' }), file('image/jpeg'))).toEqual({
      image: { url: '/media/aa/aa/file' },
      mimetype: 'image/jpeg',
      caption: 'look',
    });
    expect(isMediaPayload(payload('image'))).toBe(true);
    expect(isMediaPayload({ type: 'text', text: 'hi' })).toBe(false);
  });

  it('gives a video its own thumbnail (empty rather than none, so Baileys never shells out) and duration', () => {
    expect(
      toMediaContent(payload('video'), file('video/mp4'), { jpegThumbnail: 'AAAA', seconds: 3 }),
    ).toEqual({
      video: { url: '/media/aa/aa/file' },
      mimetype: 'video/mp4',
      jpegThumbnail: 'AAAA',
      seconds: 3,
    });
    expect(toMediaContent(payload('video'), file('video/mp4'))).toMatchObject({ jpegThumbnail: '' });
  });

  it('sends voice as push-to-talk Ogg/Opus, and audio as audio with a name WhatsApp plays', () => {
    expect(toMediaContent(payload('voice'), file('audio/ogg; codecs=opus'))).toEqual({
      audio: { url: '/media/aa/aa/file' },
      mimetype: 'audio/ogg; codecs=opus',
      ptt: true,
    });
    expect(toMediaContent(payload('audio'), file('audio/ogg'))).toMatchObject({
      mimetype: 'audio/ogg; codecs=opus',
      ptt: false,
    });
    expect(toMediaContent(payload('audio'), file('audio/x-m4a'))).toMatchObject({ mimetype: 'audio/mp4' });
    expect(toMediaContent(payload('audio'), file('audio/mpeg'))).toMatchObject({ mimetype: 'audio/mpeg' });
  });

  it('names a document after its type unless the client named it, and prefers the declared mimetype', () => {
    expect(toMediaContent(payload('document'), file('application/pdf'))).toMatchObject({
      document: { url: '/media/aa/aa/file' },
      mimetype: 'application/pdf',
      fileName: 'document.pdf',
    });
    expect(
      toMediaContent(
        payload('document', { mimetype: 'text/csv', fileName: 'report.csv', caption: 'Q3' }),
        file('application/octet-stream'),
      ),
    ).toEqual({
      document: { url: '/media/aa/aa/file' },
      mimetype: 'text/csv',
      fileName: 'report.csv',
      caption: 'Q3',
    });
    expect(toMediaContent(payload('document'), file('application/octet-stream'))).toMatchObject({
      fileName: 'document',
    });
  });

  it('captions carry mentions: images and videos as Baileys `mentions`, documents through contextInfo', async () => {
    const mentions = ['15550001111@s.whatsapp.net'];
    expect(toMediaContent(payload('image', { caption: '@1', mentions }), file('image/jpeg'))).toMatchObject({
      caption: '@1',
      mentions,
    });
    expect(toMediaContent(payload('video', { caption: '@1', mentions }), file('video/mp4'))).toMatchObject({
      mentions,
    });
    // The document path differs, so it goes through Baileys for real (a document needs no thumbnail).
    const dir = createTempDir('wagw-content-');
    try {
      const path = join(dir.path, 'report.pdf');
      writeFileSync(path, '%PDF-1.4 test');
      const content = toMediaContent(payload('document', { caption: '@1', mentions }), {
        path,
        mimetype: 'application/pdf',
      });
      const sent = await generateWAMessage(GROUP, content, { userJid: ME, upload: noUpload });
      expect(sent.message?.documentMessage).toMatchObject({
        caption: '@1',
        contextInfo: { mentionedJid: mentions },
      });
    } finally {
      dir.cleanup();
    }
  });

  it('sends a sticker as WebP', () => {
    expect(toMediaContent(payload('sticker'), file('image/webp'))).toEqual({
      sticker: { url: '/media/aa/aa/file' },
      mimetype: 'image/webp',
    });
  });
});
