/** Baileys' media types the worker downloads; each picks its HKDF key expansion ("WhatsApp Image Keys"). */
const DOWNLOAD_MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type DownloadMediaType = (typeof DOWNLOAD_MEDIA_TYPES)[number];

/**
 * Everything needed to fetch and check one inbound file, as JSON (stored in `media_downloads` until
 * the download ends). It holds the media key, so it never goes into a payload, view or event.
 */
export interface InboundMediaDescriptor {
  mediaType: DownloadMediaType;
  /** The CDN path (`/v/t62…`); preferred over `url`, whose host it is joined to. */
  directPath?: string;
  url?: string;
  /** base64 of the 32-byte media key. */
  mediaKey: string;
  /** base64 SHA-256 of the encrypted blob and of the plaintext, when the message states them. */
  fileEncSha256?: string;
  fileSha256?: string;
  fileLength?: number;
  mimetype?: string;
  /** The message's key, for a re-upload request to the sender's phone when the CDN lost the file. */
  key: { id: string; remoteJid: string; participant?: string };
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * A descriptor read back from the database, or undefined when it is not one (written by a newer or
 * broken version): the caller then settles the message with an error instead of retrying forever.
 */
export function parseDescriptor(value: Record<string, unknown>): InboundMediaDescriptor | undefined {
  const key = value.key as Record<string, unknown> | undefined;
  const mediaType = value.mediaType;
  if (typeof mediaType !== 'string' || !(DOWNLOAD_MEDIA_TYPES as readonly string[]).includes(mediaType))
    return undefined;
  if (!isString(value.mediaKey) || !(isString(value.directPath) || isString(value.url))) return undefined;
  if (!key || !isString(key.id) || !isString(key.remoteJid)) return undefined;
  return value as unknown as InboundMediaDescriptor;
}
