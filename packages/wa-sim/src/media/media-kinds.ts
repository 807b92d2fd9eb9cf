import { normalizeMessageContent, type proto } from '@whiskeysockets/baileys';

/** The media a WhatsApp message can carry as a downloadable file, named as Baileys names the key expansion. */
export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/**
 * What the CDN stores: message media, and the history sync blobs a phone uploads for its new
 * companions (`md-msg-hist`, keys expanded with "WhatsApp History Keys").
 */
export type StoredKind = MediaKind | 'md-msg-hist';

/** The fields of an image/video/audio/document/sticker message the simulator reads and writes. */
export type MediaContent = proto.Message.IImageMessage &
  proto.Message.IVideoMessage &
  proto.Message.IAudioMessage &
  proto.Message.IDocumentMessage &
  proto.Message.IStickerMessage;

/** Message field of each kind; `ptt` is an audioMessage with `ptt: true`. */
const FIELDS = {
  image: 'imageMessage',
  video: 'videoMessage',
  audio: 'audioMessage',
  document: 'documentMessage',
  sticker: 'stickerMessage',
} as const satisfies Record<MediaKind, keyof proto.IMessage>;

/**
 * CDN upload path segment per kind (Baileys' MEDIA_PATH_MAP: stickers go to `/mms/image`), and the
 * "type" part of the direct paths WhatsApp answers for it.
 */
export const CDN_TYPES = {
  image: { segment: 'image', pathType: 't62.7118-24' },
  video: { segment: 'video', pathType: 't62.7161-24' },
  audio: { segment: 'audio', pathType: 't62.7117-24' },
  document: { segment: 'document', pathType: 't62.7119-24' },
  sticker: { segment: 'image', pathType: 't62.15575-24' },
} as const satisfies Record<MediaKind, { segment: string; pathType: string }>;

/** Path segments `/mms/<segment>/…` the CDN accepts uploads for. */
export type CdnSegment = (typeof CDN_TYPES)[MediaKind]['segment'];

export function isCdnSegment(value: string): value is CdnSegment {
  return Object.values(CDN_TYPES).some((type) => type.segment === value);
}

/**
 * The media a message carries, unwrapping the own-device copy (`deviceSentMessage`) and the wrappers
 * Baileys unwraps (ephemeral, view-once, document with caption). Undefined for anything else.
 */
export function mediaOf(message: proto.IMessage): { kind: MediaKind; content: MediaContent } | undefined {
  const inner = normalizeMessageContent(message.deviceSentMessage?.message ?? message);
  if (!inner) return undefined;
  for (const [kind, field] of Object.entries(FIELDS) as Array<[MediaKind, (typeof FIELDS)[MediaKind]]>) {
    const content = inner[field];
    if (content) return { kind, content: content as MediaContent };
  }
  return undefined;
}

/** `{ imageMessage: content }` and the like. */
export function mediaMessage(kind: MediaKind, content: MediaContent): proto.IMessage {
  return { [FIELDS[kind]]: content };
}

/** The `mediatype` WhatsApp puts on `<enc>` for a message of this kind (voice notes are `ptt`). */
export function encMediaType(kind: MediaKind, content: MediaContent): string {
  return kind === 'audio' && content.ptt ? 'ptt' : kind;
}
