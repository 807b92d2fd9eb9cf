import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** WhatsApp appends the first 10 bytes of HMAC-SHA256(macKey, iv ‖ ciphertext) to the ciphertext. */
const MAC_LENGTH = 10;

/** The bytes are not the file the message describes: a corrupt or forged blob. Retrying will not help. */
export class MediaIntegrityError extends Error {
  override readonly name = 'MediaIntegrityError';
}

/** A file's keys, expanded from its media key (Baileys' `getMediaKeys`). */
export interface MediaKeys {
  iv: Uint8Array;
  cipherKey: Uint8Array;
  macKey?: Uint8Array;
}

export interface ExpectedFile {
  /** SHA-256 of the encrypted blob (MAC included), as the message states it. */
  fileEncSha256?: Buffer | undefined;
  /** SHA-256 and length of the plaintext, as the message states them. */
  fileSha256?: Buffer | undefined;
  fileLength?: number | undefined;
}

function check(what: string, actual: Buffer, expected: Buffer | undefined): void {
  if (expected && !(actual.length === expected.length && timingSafeEqual(actual, expected)))
    throw new MediaIntegrityError(`the file's ${what} does not match the message`);
}

/**
 * Decrypts a WhatsApp media blob as it streams in and checks everything a phone checks: the MAC,
 * the SHA-256 of the blob, and the SHA-256 and length of the plaintext. Baileys' own download
 * checks none of these. The stream only ends once every check has passed (a failed one ends it with
 * an error), so a store that commits when its input ends keeps nothing of a file that fails one.
 */
export async function* decryptMedia(
  blob: AsyncIterable<Uint8Array>,
  keys: MediaKeys,
  expected: ExpectedFile,
): AsyncGenerator<Buffer> {
  if (!keys.macKey) throw new MediaIntegrityError('no MAC key for this media type');
  const decipher = createDecipheriv('aes-256-cbc', keys.cipherKey, keys.iv);
  const mac = createHmac('sha256', keys.macKey).update(keys.iv);
  const blobHash = createHash('sha256');
  const plainHash = createHash('sha256');
  let plainLength = 0;
  // The MAC is the blob's last 10 bytes: hold back that many until the end is known.
  let tail = Buffer.alloc(0);
  for await (const chunk of blob) {
    blobHash.update(chunk);
    const data = tail.length > 0 ? Buffer.concat([tail, chunk]) : Buffer.from(chunk);
    const body = data.subarray(0, Math.max(0, data.length - MAC_LENGTH));
    tail = Buffer.from(data.subarray(body.length));
    if (body.length === 0) continue;
    mac.update(body);
    const plain = decipher.update(body);
    plainHash.update(plain);
    plainLength += plain.length;
    if (plain.length > 0) yield plain;
  }
  if (tail.length < MAC_LENGTH) throw new MediaIntegrityError('the file is shorter than its MAC');
  check('MAC', mac.digest().subarray(0, MAC_LENGTH), tail);
  check('encrypted SHA-256', blobHash.digest(), expected.fileEncSha256);
  let last: Buffer;
  try {
    last = decipher.final();
  } catch {
    throw new MediaIntegrityError('the file does not decrypt (bad padding)');
  }
  plainHash.update(last);
  plainLength += last.length;
  check('SHA-256', plainHash.digest(), expected.fileSha256);
  if (expected.fileLength !== undefined && expected.fileLength !== plainLength)
    throw new MediaIntegrityError(
      `the file is ${plainLength} bytes, not ${expected.fileLength} as the message says`,
    );
  if (last.length > 0) yield last;
}
