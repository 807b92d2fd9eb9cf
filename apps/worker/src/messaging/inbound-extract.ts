import { normalizeMessageContent, type proto } from '@whiskeysockets/baileys';
import { type ExtractedMedia, extractMedia } from '../media/inbound-content.js';

/**
 * What an inbound message row stores: a `type` and a JSON payload, like outbound rows; media
 * messages also carry their private download descriptor (see `ExtractedMedia`).
 */
export type ExtractedMessage =
  | { type: 'text' | 'location' | 'contact' | 'reaction' | 'unsupported'; payload: Record<string, unknown> }
  | ExtractedMedia;

export interface ExtractOptions {
  /** MEDIA_MAX_BYTES: a file declared larger (or larger than its type's cap) is refused unread. */
  mediaMaxBytes: number;
}

/**
 * Keys that ride along with real content (encryption secrets, key distribution) and say nothing
 * about what the message is.
 */
const ENVELOPE_KEYS = new Set(['messageContextInfo', 'senderKeyDistributionMessage']);

/**
 * The stored form of an inbound WhatsApp message. Wrappers (ephemeral, view-once, edited) are
 * unwrapped first. Returns null for messages that are not user content (protocol messages such as
 * revokes, key shares or history-sync notices, and empty messages); everything else is stored,
 * unknown kinds as `unsupported` with their top-level keys so nothing is silently lost. Media
 * (image, video, audio, voice note, document, sticker) comes with what its download needs.
 */
export function extractInbound(
  message: proto.IMessage | null | undefined,
  options: ExtractOptions = { mediaMaxBytes: Number.POSITIVE_INFINITY },
): ExtractedMessage | null {
  const content = normalizeMessageContent(message);
  if (!content) return null;
  const media = extractMedia(content, options.mediaMaxBytes);
  if (media) return media;
  if (content.conversation) return { type: 'text', payload: { text: content.conversation } };
  if (content.extendedTextMessage?.text != null) {
    return { type: 'text', payload: { text: content.extendedTextMessage.text } };
  }
  if (content.locationMessage) {
    const loc = content.locationMessage;
    return {
      type: 'location',
      payload: {
        latitude: loc.degreesLatitude ?? 0,
        longitude: loc.degreesLongitude ?? 0,
        ...(loc.name ? { name: loc.name } : {}),
        ...(loc.address ? { address: loc.address } : {}),
      },
    };
  }
  if (content.contactMessage) {
    return {
      type: 'contact',
      payload: {
        displayName: content.contactMessage.displayName ?? '',
        vcard: content.contactMessage.vcard ?? '',
      },
    };
  }
  if (content.reactionMessage) {
    const key = content.reactionMessage.key;
    return {
      type: 'reaction',
      payload: {
        emoji: content.reactionMessage.text ?? '',
        target: { id: key?.id ?? '', remoteJid: key?.remoteJid ?? '', fromMe: key?.fromMe ?? false },
      },
    };
  }
  const keys = Object.keys(content).filter(
    (key) => !ENVELOPE_KEYS.has(key) && content[key as keyof proto.IMessage] != null,
  );
  if (keys.length === 0 || keys.includes('protocolMessage')) return null;
  return { type: 'unsupported', payload: { keys } };
}
