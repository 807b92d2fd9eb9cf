import type { MessagePayload } from '@wagw/queue';
import type { AnyMessageContent, WAMessage } from '@whiskeysockets/baileys';

/** What `sock.sendMessage(jid, content, { quoted })` gets for one message row's payload. */
export interface OutgoingContent {
  content: AnyMessageContent;
  quoted?: WAMessage;
}

/** Maps a stored message payload (see `messagePayload`) to Baileys content. Pure. */
export function toBaileysContent(payload: MessagePayload): OutgoingContent {
  switch (payload.type) {
    case 'text':
      return { content: { text: payload.text } };
    case 'reply':
      return {
        content: { text: payload.text },
        // Baileys builds the reply's contextInfo from the quoted message's key and content.
        quoted: {
          key: { id: payload.quoted.id, remoteJid: payload.quoted.remoteJid, fromMe: payload.quoted.fromMe },
          message: { conversation: payload.quoted.text ?? '' },
        },
      };
    case 'location':
      return {
        content: {
          location: {
            degreesLatitude: payload.latitude,
            degreesLongitude: payload.longitude,
            ...(payload.name === undefined ? {} : { name: payload.name }),
            ...(payload.address === undefined ? {} : { address: payload.address }),
          },
        },
      };
    case 'contact':
      return {
        content: { contacts: { displayName: payload.displayName, contacts: [{ vcard: payload.vcard }] } },
      };
    case 'reaction':
      return {
        content: {
          react: {
            text: payload.emoji,
            key: {
              id: payload.target.id,
              remoteJid: payload.target.remoteJid,
              fromMe: payload.target.fromMe,
            },
          },
        },
      };
    default:
      // Media payloads are sent by the media path, which resolves their bytes first.
      throw new Error(`${payload.type} messages are not sent through toBaileysContent`);
  }
}

/** Characters a person would type for this payload (drives the typing indicator); 0 = no typing. */
export function typedLength(payload: MessagePayload): number {
  return payload.type === 'text' || payload.type === 'reply' ? payload.text.length : 0;
}
