import type { MediaMessageType } from '@wagw/media';

const MiB = 1024 * 1024;

/**
 * The largest file each kind of inbound media may be, before MEDIA_MAX_BYTES: WhatsApp's own limits
 * (16 MiB for photos and voice notes, stickers are small WebP files), so a peer declaring more is
 * lying or sending something no WhatsApp client would. Videos and documents may be as large as the
 * operator allows (WhatsApp allows up to 2 GB documents).
 */
const TYPE_CAPS: Partial<Record<MediaMessageType, number>> = {
  image: 16 * MiB,
  sticker: 1 * MiB,
  audio: 16 * MiB,
  voice: 16 * MiB,
};

/** The byte cap of an inbound file of this type: its type's cap, never above `maxBytes`. */
export function inboundMediaCap(type: MediaMessageType, maxBytes: number): number {
  return Math.min(TYPE_CAPS[type] ?? maxBytes, maxBytes);
}

/** Why a file that declares `fileLength` bytes is refused before any download, or undefined. */
export function oversizeReason(
  type: MediaMessageType,
  fileLength: number | undefined,
  maxBytes: number,
): string | undefined {
  const cap = inboundMediaCap(type, maxBytes);
  if (fileLength === undefined || fileLength <= cap) return undefined;
  return `the ${type} is ${fileLength} bytes, over the ${cap}-byte limit for received media of this type`;
}
