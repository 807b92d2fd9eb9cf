import { MEDIA_MESSAGE_TYPES, type MediaMessageType } from '@wagw/media';
import type { proto } from '@whiskeysockets/baileys';
import type { DownloadMediaType, InboundMediaDescriptor } from './inbound-descriptor.js';
import { oversizeReason } from './inbound-limits.js';

type MediaContent = proto.Message.IImageMessage &
  proto.Message.IVideoMessage &
  proto.Message.IAudioMessage &
  proto.Message.IDocumentMessage &
  proto.Message.IStickerMessage;

/** Message fields that carry a downloadable file, and Baileys' media type of each. */
const FIELDS: ReadonlyArray<[keyof proto.IMessage, DownloadMediaType]> = [
  ['imageMessage', 'image'],
  ['videoMessage', 'video'],
  ['audioMessage', 'audio'],
  ['documentMessage', 'document'],
  ['stickerMessage', 'sticker'],
];

/** A media message as an inbound row stores it (see `extractMedia`). */
export interface ExtractedMedia {
  type: MediaMessageType;
  payload: Record<string, unknown>;
  /**
   * What the download needs, but the message key. It holds the media key, so it is kept apart from
   * the payload and never published. Absent when the file is refused unread (`media.error`).
   */
  download?: Omit<InboundMediaDescriptor, 'key'>;
}

/** Whether an extracted message is a media message (its announcement waits for the file). */
export function isExtractedMedia<T extends { type: string }>(message: T): message is T & ExtractedMedia {
  return (MEDIA_MESSAGE_TYPES as readonly string[]).includes(message.type);
}

/** protobuf `uint64` fields decode as a number or a Long. */
function toNumber(value: number | { toNumber(): number } | null | undefined): number | undefined {
  if (typeof value === 'number') return value;
  return value ? value.toNumber() : undefined;
}

const base64 = (bytes: Uint8Array | null | undefined) =>
  bytes?.length ? Buffer.from(bytes).toString('base64') : undefined;

/**
 * The stored form of a media message (an unwrapped message content): its type (`voice` for a
 * push-to-talk audio), a payload with caption, file name, mimetype and duration beside
 * `media: { pending: true }`, and the private download descriptor. A file that cannot or may not
 * be downloaded (no media key or path, declared over its cap) is stored with `media: { error }`
 * and no descriptor, so the message is kept and announced without a download.
 */
export function extractMedia(content: proto.IMessage, maxBytes: number): ExtractedMedia | undefined {
  for (const [field, mediaType] of FIELDS) {
    const media = content[field] as MediaContent | null | undefined;
    if (!media) continue;
    const type: MediaMessageType = mediaType === 'audio' && media.ptt ? 'voice' : mediaType;
    const fileLength = toNumber(media.fileLength);
    const payload: Record<string, unknown> = {
      ...(media.caption ? { caption: media.caption } : {}),
      ...(mediaType === 'document' && media.fileName ? { fileName: media.fileName } : {}),
      ...(media.mimetype ? { mimetype: media.mimetype } : {}),
      ...(media.seconds ? { seconds: media.seconds } : {}),
    };
    const mediaKey = base64(media.mediaKey);
    const refused =
      oversizeReason(type, fileLength, maxBytes) ??
      (!mediaKey ? 'the message carries no media key' : undefined) ??
      (!media.directPath && !media.url ? 'the message carries no media location' : undefined);
    if (refused || !mediaKey) return { type, payload: { ...payload, media: { error: refused } } };
    const fileEncSha256 = base64(media.fileEncSha256);
    const fileSha256 = base64(media.fileSha256);
    return {
      type,
      payload: { ...payload, media: { pending: true } },
      download: {
        mediaType,
        ...(media.directPath ? { directPath: media.directPath } : {}),
        ...(media.url ? { url: media.url } : {}),
        mediaKey,
        ...(fileEncSha256 ? { fileEncSha256 } : {}),
        ...(fileSha256 ? { fileSha256 } : {}),
        ...(fileLength !== undefined ? { fileLength } : {}),
        ...(media.mimetype ? { mimetype: media.mimetype } : {}),
      },
    };
  }
  return undefined;
}
