import { FOREVER_MUTED } from '@wagw/db';
import type { WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { fromChat, fromChatUpdate, toLastMessage, toMutedUntil } from './chat-changes.js';

const BOB = '15550001111@s.whatsapp.net';
const BOB_LID = '900000000000001@lid';

function message(id: string, seconds: number, content: WAMessage['message'], fromMe = false): WAMessage {
  return { key: { id, remoteJid: BOB, fromMe }, messageTimestamp: seconds, message: content };
}

describe('toLastMessage', () => {
  it('previews text, captions and other kinds; reactions and protocol messages are no last message', () => {
    expect(toLastMessage(message('A', 100, { conversation: 'hello' }))).toEqual({
      waMessageId: 'A',
      preview: 'hello',
      at: new Date(100_000),
      direction: 'inbound',
    });
    expect(toLastMessage(message('B', 1, { conversation: 'x'.repeat(300) }, true))).toMatchObject({
      preview: 'x'.repeat(100),
      direction: 'outbound',
    });
    const image = {
      imageMessage: {
        caption: 'look',
        mimetype: 'image/jpeg',
        url: 'https://x',
        mediaKey: new Uint8Array(32),
      },
    };
    expect(toLastMessage(message('C', 1, image))?.preview).toBe('look');
    expect(toLastMessage(message('D', 1, { locationMessage: { degreesLatitude: 1 } }))?.preview).toBe(
      '[location]',
    );
    expect(toLastMessage(message('E', 1, { reactionMessage: { text: '👍', key: { id: 'A' } } }))).toBeNull();
    expect(toLastMessage(message('F', 1, { protocolMessage: { type: 0 } }))).toBeNull();
  });
});

describe('toMutedUntil', () => {
  it('reads seconds, milliseconds, for ever (-1, or its unsigned form) and not muted', () => {
    expect(toMutedUntil(1_900_000_000)).toEqual(new Date(1_900_000_000_000));
    expect(toMutedUntil(1_900_000_000_000)).toEqual(new Date(1_900_000_000_000));
    expect(toMutedUntil(-1)).toEqual(FOREVER_MUTED);
    expect(toMutedUntil({ toNumber: () => 18446744073709552000 })).toEqual(FOREVER_MUTED);
    expect(toMutedUntil(0)).toBeNull();
    expect(toMutedUntil(null)).toBeNull();
  });
});

describe('fromChat', () => {
  it('takes a whole chat with absolute counts and its newest message; a LID chat by its number', () => {
    const change = fromChat(
      { id: BOB_LID, pnJid: BOB, name: 'Bob', unreadCount: 3, archived: true, conversationTimestamp: 50 },
      [message('OLD', 10, { conversation: 'old' }), message('NEW', 40, { conversation: 'new' }, true)],
    );
    expect(change).toEqual({
      jid: BOB,
      lid: BOB_LID,
      name: 'Bob',
      unread: { set: 3 },
      archived: true,
      activityAt: new Date(50_000),
      lastMessage: { waMessageId: 'NEW', preview: 'new', at: new Date(40_000), direction: 'outbound' },
    });
    expect(fromChat({ id: 'status@broadcast' })).toBeUndefined();
    expect(fromChat({ id: BOB, markedAsUnread: true })?.unread).toBe('marked');
  });
});

describe('fromChatUpdate', () => {
  it("reads Baileys' unread arithmetic: positive adds, 0 reads, negative marks unread", () => {
    expect(fromChatUpdate({ id: BOB, unreadCount: 1 })?.unread).toEqual({ add: 1 });
    expect(fromChatUpdate({ id: BOB, unreadCount: 0 })?.unread).toEqual({ set: 0 });
    expect(fromChatUpdate({ id: BOB, unreadCount: -1 })?.unread).toBe('marked');
  });

  it('takes archive, mute and the message it carries; says nothing for what the list does not keep', () => {
    expect(fromChatUpdate({ id: BOB, archived: false, muteEndTime: null })).toEqual({
      jid: BOB,
      lid: null,
      archived: false,
      mutedUntil: null,
    });
    const update = fromChatUpdate({
      id: BOB,
      conversationTimestamp: 70,
      messages: [{ message: message('M', 70, { conversation: 'hi' }) }],
    });
    expect(update?.lastMessage).toMatchObject({ waMessageId: 'M', preview: 'hi' });
    expect(fromChatUpdate({ id: BOB, pinned: 123 })).toBeUndefined();
    expect(fromChatUpdate({ id: '1@newsletter', unreadCount: 1 })).toBeUndefined();
  });
});
