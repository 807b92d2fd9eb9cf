import type { proto } from '@whiskeysockets/baileys';
import { checkBlob, encryptMedia } from './media-crypto.js';
import { type MediaContent, type MediaKind, mediaMessage, mediaOf } from './media-kinds.js';
import type { MediaStore } from './media-store.js';

/** What a simulated peer found when it fetched and decrypted the media of a message it received. */
export interface ReceivedMedia {
  type: MediaKind;
  mimetype: string | undefined;
  /** True for a voice note (audioMessage with `ptt`). */
  ptt: boolean;
  /** Plaintext length and SHA-256 (hex), when the blob decrypted. */
  length: number | undefined;
  sha256: string | undefined;
  /** Every check passed: blob found, fileEncSha256, MAC, decryption, fileSha256, fileLength. */
  verified: boolean;
  /** The first check that failed, when not verified. */
  reason?: string;
  caption?: string;
  fileName?: string;
}

/** A file a simulated peer sends to a session. */
export interface PeerMediaInput {
  data: Buffer;
  type: MediaKind;
  mimetype: string;
  /** Images, videos and documents only. */
  caption?: string;
  /** Documents only. */
  fileName?: string;
  /** Audio only: send as a voice note. Default false. */
  ptt?: boolean;
}

const CAPTIONED: readonly MediaKind[] = ['image', 'video', 'document'];

/** Fetches the blob a message points at from the store and checks it like a receiving phone; never throws. */
export async function inspectReceivedMedia(
  store: MediaStore,
  message: proto.IMessage,
): Promise<ReceivedMedia | undefined> {
  const media = mediaOf(message);
  if (!media) return undefined;
  const { kind, content } = media;
  const base = {
    type: kind,
    mimetype: content.mimetype ?? undefined,
    ptt: kind === 'audio' && !!content.ptt,
    ...(content.caption ? { caption: content.caption } : {}),
    ...(content.fileName ? { fileName: content.fileName } : {}),
  };
  const fail = (reason: string): ReceivedMedia => ({
    ...base,
    length: undefined,
    sha256: undefined,
    verified: false,
    reason,
  });
  if (!content.mediaKey?.length) return fail('message has no mediaKey');
  const where = content.directPath || content.url;
  const blob = where ? store.find(where) : undefined;
  if (!blob) return fail(where ? `no blob at ${where}` : 'message has neither directPath nor url');
  let check: Awaited<ReturnType<typeof checkBlob>>;
  try {
    check = await checkBlob(blob.file, blob.size, content as MediaContent & { mediaKey: Uint8Array }, kind);
  } catch (error) {
    // A read error or a failing key expansion: the message still counts as received, unverified.
    return fail(`cannot check the blob: ${(error as Error).message}`);
  }
  return {
    ...base,
    length: check.length,
    sha256: check.sha256,
    verified: check.verified,
    ...(check.reason ? { reason: check.reason } : {}),
  };
}

/** Encrypts the file as a WhatsApp client does, stores the blob on the CDN and builds the message. */
export async function prepareOutgoingMedia(
  store: MediaStore,
  input: PeerMediaInput,
): Promise<proto.IMessage> {
  const { type } = input;
  if (input.caption !== undefined && !CAPTIONED.includes(type)) throw new Error(`a ${type} has no caption`);
  if (input.fileName !== undefined && type !== 'document') throw new Error('only documents have a fileName');
  if (input.ptt && type !== 'audio') throw new Error('only audio can be a voice note (ptt)');
  const encrypted = await encryptMedia(input.data, type);
  const blob = await store.put(type, encrypted.blob, encrypted.fileEncSha256);
  const content: MediaContent = {
    url: blob.url,
    directPath: blob.directPath,
    mediaKey: encrypted.mediaKey,
    fileEncSha256: encrypted.fileEncSha256,
    fileSha256: encrypted.fileSha256,
    fileLength: encrypted.fileLength,
    mimetype: input.mimetype,
    mediaKeyTimestamp: Math.floor(Date.now() / 1000),
    ...(input.caption !== undefined ? { caption: input.caption } : {}),
    ...(input.fileName !== undefined ? { fileName: input.fileName } : {}),
    ...(input.ptt ? { ptt: true } : {}),
  };
  return mediaMessage(type, content);
}
