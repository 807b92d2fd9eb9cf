import { essence, isVoiceReady, VOICE_MIMETYPE } from '@wagw/media';
import type { MessagePayload } from '@wagw/queue';
import type { AnyMessageContent, WAMessage } from '@whiskeysockets/baileys';
import { defaultDocumentName } from '../media/document-name.js';
import type { VideoPreview } from '../media/video-preview.js';

/** What `sock.sendMessage(jid, content, { quoted })` gets for one message row's payload. */
export interface OutgoingContent {
  content: AnyMessageContent;
  quoted?: WAMessage;
}

/** Maps a stored message payload (see `messagePayload`) to Baileys content. Pure. */
export function toBaileysContent(payload: MessagePayload): OutgoingContent {
  switch (payload.type) {
    case 'text':
      return { content: { text: payload.text, ...mentionsOf(payload) } };
    case 'reply':
      return {
        // Baileys adds the quote to the same contextInfo that carries the mentions.
        content: { text: payload.text, ...mentionsOf(payload) },
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

/** Baileys' `mentions` (it writes them to the message's `contextInfo.mentionedJid`). */
function mentionsOf(payload: { mentions?: string[] | undefined }): { mentions?: string[] } {
  return payload.mentions === undefined ? {} : { mentions: payload.mentions };
}

/** The payloads that carry a file. */
export type MediaPayload = Extract<MessagePayload, { media: unknown }>;

export function isMediaPayload(payload: MessagePayload): payload is MediaPayload {
  return 'media' in payload;
}

/** The file a media message sends, ready on this host. */
export interface ReadyFile {
  /** A local path: Baileys streams it, and its media cache is keyed by it (`<type>:<path>`). */
  path: string;
  /** What the bytes are, sniffed by the worker. */
  mimetype: string;
}

/**
 * Maps a media payload and its file to Baileys content. Pure. The mimetype sent is the client's
 * when given (it agrees with the bytes, `checkMediaKind` saw to that, and may carry parameters),
 * else the sniffed one.
 */
export function toMediaContent(
  payload: MediaPayload,
  file: ReadyFile,
  preview?: VideoPreview,
): AnyMessageContent {
  const media = { url: file.path };
  const mimetype = payload.mimetype ?? file.mimetype;
  const caption = payload.caption === undefined ? {} : { caption: payload.caption };
  switch (payload.type) {
    case 'image':
      return { image: media, mimetype, ...caption, ...mentionsOf(payload) };
    case 'video':
      return {
        video: media,
        mimetype,
        ...caption,
        ...mentionsOf(payload),
        jpegThumbnail: preview?.jpegThumbnail ?? '',
        // Not in Baileys' content type, but copied into the videoMessage like every other field.
        ...(preview?.seconds === undefined ? {} : ({ seconds: preview.seconds } as object)),
      };
    case 'audio':
      return { audio: media, mimetype: audioMimetype(payload.mimetype, file.mimetype), ptt: false };
    case 'voice':
      return { audio: media, mimetype: VOICE_MIMETYPE, ptt: true };
    case 'document':
      return {
        document: media,
        mimetype,
        fileName: payload.fileName ?? defaultDocumentName(mimetype),
        ...caption,
        // Baileys' type has no `mentions` for documents; contextInfo is where they end up anyway.
        ...(payload.mentions === undefined ? {} : { contextInfo: { mentionedJid: payload.mentions } }),
      };
    case 'sticker':
      return { sticker: media, mimetype: 'image/webp' };
  }
}

/**
 * The mimetype of an audio message: Ogg/Opus is named as WhatsApp names it, and `audio/x-m4a`
 * (what the sniffer calls AAC in MP4) as `audio/mp4`, which WhatsApp clients play.
 */
function audioMimetype(declared: string | undefined, sniffed: string): string {
  if (declared !== undefined) return declared;
  if (isVoiceReady(sniffed)) return VOICE_MIMETYPE;
  return essence(sniffed) === 'audio/x-m4a' ? 'audio/mp4' : sniffed;
}

/** Characters a person would type for this payload (drives the typing indicator); 0 = no typing. */
export function typedLength(payload: MessagePayload): number {
  return payload.type === 'text' || payload.type === 'reply' ? payload.text.length : 0;
}
