import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { getMediaKeys } from '@whiskeysockets/baileys';
import type { MediaKind, StoredKind } from './media-kinds.js';

/** WhatsApp appends the first 10 bytes of HMAC-SHA256(macKey, iv ‖ ciphertext) to the ciphertext. */
const MAC_LENGTH = 10;
const AES_BLOCK = 16;

/** A file encrypted the way WhatsApp clients encrypt media before uploading it. */
export interface EncryptedMedia {
  mediaKey: Buffer;
  /** Ciphertext followed by the 10-byte MAC: what is uploaded. */
  blob: Buffer;
  fileSha256: Buffer;
  fileEncSha256: Buffer;
  fileLength: number;
}

/**
 * Encrypts like a WhatsApp client: a random 32-byte media key expanded with Baileys' own HKDF expansion
 * (the kind's info string, e.g. "WhatsApp Image Keys") into iv, cipher key and mac key; AES-256-CBC;
 * the truncated HMAC appended. Peers send small files, so the whole buffer is encrypted at once.
 */
export async function encryptMedia(plaintext: Buffer, kind: StoredKind): Promise<EncryptedMedia> {
  const mediaKey = randomBytes(32);
  const { iv, cipherKey, macKey } = await expandMediaKey(mediaKey, kind);
  const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const mac = createHmac('sha256', macKey).update(iv).update(ciphertext).digest().subarray(0, MAC_LENGTH);
  const blob = Buffer.concat([ciphertext, mac]);
  return {
    mediaKey,
    blob,
    fileSha256: sha256(plaintext),
    fileEncSha256: sha256(blob),
    fileLength: plaintext.length,
  };
}

/** What the message claims about its file. */
export interface MediaClaims {
  mediaKey: Uint8Array;
  fileEncSha256?: Uint8Array | null;
  fileSha256?: Uint8Array | null;
  /** A number, or a protobuf Long (which converts with `Number()`) from a decoded message. */
  fileLength?: number | { toString(): string } | null;
}

/** Result of checking a blob against its message; `reason` names the first check that failed. */
export interface BlobCheck {
  verified: boolean;
  reason?: string;
  /** Length and SHA-256 (hex) of the decrypted plaintext, when decryption succeeded. */
  length?: number;
  sha256?: string;
}

/**
 * Checks and decrypts a stored blob as a receiving WhatsApp client does: fileEncSha256 over the whole
 * blob, the truncated HMAC over iv ‖ ciphertext, AES-256-CBC, then fileSha256 and fileLength of the
 * plaintext. Streams the file, so a large video is never held whole in memory.
 */
export async function checkBlob(
  path: string,
  size: number,
  claims: MediaClaims,
  kind: MediaKind,
): Promise<BlobCheck> {
  if (size < AES_BLOCK + MAC_LENGTH) return { verified: false, reason: `blob too short (${size} bytes)` };
  const { iv, cipherKey, macKey } = await expandMediaKey(claims.mediaKey, kind);
  const mac = await readTail(path, size, MAC_LENGTH);
  const encHash = createHash('sha256');
  const hmac = createHmac('sha256', macKey).update(iv);
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  const plainHash = createHash('sha256');
  let length = 0;
  let decryptError: string | undefined;
  const consume = (plain: Buffer) => {
    plainHash.update(plain);
    length += plain.length;
  };
  for await (const chunk of createReadStream(path, { end: size - MAC_LENGTH - 1 }) as AsyncIterable<Buffer>) {
    encHash.update(chunk);
    hmac.update(chunk);
    consume(decipher.update(chunk));
  }
  encHash.update(mac);
  try {
    consume(decipher.final());
  } catch (error) {
    decryptError = `decryption failed: ${(error as Error).message}`;
  }
  const expectedMac = hmac.digest().subarray(0, MAC_LENGTH);
  const decrypted = decryptError ? {} : { length, sha256: plainHash.digest('hex') };
  const fail = (reason: string): BlobCheck => ({ verified: false, reason, ...decrypted });
  if (!sameBytes(encHash.digest(), claims.fileEncSha256))
    return fail('fileEncSha256 does not match the blob');
  if (!timingSafeEqual(expectedMac, mac)) return fail('MAC does not match');
  if (decryptError) return fail(decryptError);
  if (!sameBytes(Buffer.from(decrypted.sha256 ?? '', 'hex'), claims.fileSha256)) {
    return fail('fileSha256 does not match the plaintext');
  }
  const claimedLength =
    claims.fileLength === null || claims.fileLength === undefined ? undefined : Number(claims.fileLength);
  if (claimedLength !== undefined && claimedLength !== length) {
    return fail(`fileLength ${claimedLength} but the plaintext has ${length} bytes`);
  }
  return { verified: true, ...decrypted };
}

/** Baileys' HKDF expansion of a media key into iv, cipher key and mac key (its type leaves the mac key optional). */
async function expandMediaKey(mediaKey: Uint8Array, kind: StoredKind) {
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, kind);
  if (!macKey) throw new Error('media key expansion gave no mac key');
  return { iv, cipherKey, macKey };
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function sameBytes(actual: Buffer, claimed: Uint8Array | null | undefined): boolean {
  return !!claimed && claimed.length === actual.length && timingSafeEqual(actual, claimed);
}

async function readTail(path: string, size: number, length: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const tail = Buffer.alloc(length);
    await file.read(tail, 0, length, size - length);
    return tail;
  } finally {
    await file.close();
  }
}
