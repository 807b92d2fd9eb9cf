import { fileTypeFromBuffer } from 'file-type';

/** Used when neither the caller nor the sniffer can name the content type. */
export const FALLBACK_MIMETYPE = 'application/octet-stream';

/**
 * How many leading bytes the sniffer gets: file-type's own "reasonable detection size", enough for
 * the image, audio, video and document formats WhatsApp carries.
 */
export const SNIFF_BYTES = 4100;

/**
 * The content type from the bytes themselves (magic numbers), never from a file name a client
 * chose. Unknown content (plain text included, which has no signature) is `application/octet-stream`.
 */
export async function sniffMimetype(head: Uint8Array): Promise<string> {
  if (head.length === 0) return FALLBACK_MIMETYPE;
  const detected = await fileTypeFromBuffer(head);
  return detected?.mime ?? FALLBACK_MIMETYPE;
}
