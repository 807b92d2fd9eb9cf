import { describe, expect, it } from 'vitest';
import { mentionAddresses, mentionedJids } from './inbound-mentions.js';

describe('mentionedJids', () => {
  it('reads contextInfo.mentionedJid of text and captions, inside ephemeral wrappers too', () => {
    const mentionedJid = ['15550001@s.whatsapp.net', '9002@lid'];
    expect(mentionedJids({ extendedTextMessage: { text: '@x', contextInfo: { mentionedJid } } })).toEqual(
      mentionedJid,
    );
    expect(
      mentionedJids({
        ephemeralMessage: { message: { imageMessage: { caption: '@x', contextInfo: { mentionedJid } } } },
      }),
    ).toEqual(mentionedJid);
    expect(mentionedJids({ conversation: 'no one' })).toEqual([]);
    expect(mentionedJids(null)).toEqual([]);
  });
});

describe('mentionAddresses', () => {
  const pairs = [
    { pn: '15550001@s.whatsapp.net', lid: '9001@lid' },
    { pn: '15550002@s.whatsapp.net', lid: '9002@lid' },
  ];

  it('names each user by phone number with the LID when a pair is known, else as WhatsApp did, once', () => {
    expect(
      mentionAddresses(
        [
          '9001@lid',
          '15550002@s.whatsapp.net',
          '9003@lid',
          '15550004@s.whatsapp.net',
          '15550001@s.whatsapp.net',
        ],
        pairs,
      ),
    ).toEqual([
      { jid: '15550001@s.whatsapp.net', lid: '9001@lid' },
      { jid: '15550002@s.whatsapp.net', lid: '9002@lid' },
      { jid: '9003@lid', lid: '9003@lid' },
      { jid: '15550004@s.whatsapp.net', lid: null },
    ]);
  });
});
