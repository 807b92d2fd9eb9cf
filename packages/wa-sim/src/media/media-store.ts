import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MediaCounters } from '../observe/counters.js';
import { CDN_TYPES, type MediaKind, type StoredKind } from './media-kinds.js';

/** Direct-path type segment of history sync blobs (message media have theirs in `CDN_TYPES`). */
const HISTORY_PATH_TYPE = 't62.36145-24';

/** The host WhatsApp's upload answers and message urls name. */
export const MEDIA_HOST = 'mmg.whatsapp.net';

/** One encrypted blob the CDN holds. */
export interface StoredBlob {
  /** `/v/t62.…/…_n.enc?ccb=…&oh=…&oe=…&_nc_sid=…`, as WhatsApp answers `direct_path`. */
  directPath: string;
  /** `https://mmg.whatsapp.net<directPath>&mms3=true`, as WhatsApp answers `url`. */
  url: string;
  /** File holding the blob. */
  file: string;
  size: number;
  fileEncSha256: Buffer;
}

/** Why an upload was refused; the CDN turns it into a 4xx. */
export class UploadRejected extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The CDN's blobs, one file each in the simulator's temporary directory, found by the path of their
 * url or direct path. Files rather than memory because a gateway test uploads videos of up to 100 MB
 * and the simulator runs inside the test process; the directory is deleted when the simulator closes.
 */
export class MediaStore {
  private readonly blobs = new Map<string, StoredBlob>();
  private nextFile = 1;

  constructor(
    private readonly dir: string,
    private readonly counters: MediaCounters,
    /** Largest blob accepted, in bytes. */
    readonly maxBlobBytes: number,
  ) {}

  /**
   * Streams an upload to a file, refusing it (and deleting the file) when it exceeds
   * {@link maxBlobBytes} or its SHA-256 is not `fileEncSha256`.
   */
  async receive(kind: MediaKind, body: Readable, fileEncSha256: Buffer): Promise<StoredBlob> {
    const file = join(this.dir, `${this.nextFile++}.enc`);
    const hash = createHash('sha256');
    let size = 0;
    const max = this.maxBlobBytes;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > max) throw new UploadRejected(413, `blob larger than ${max} bytes`);
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(file),
      );
      const digest = hash.digest();
      if (!timingSafeEqual(digest, fileEncSha256)) {
        throw new UploadRejected(400, 'body does not match the fileEncSha256 of the path');
      }
    } catch (error) {
      await unlink(file).catch(() => undefined);
      throw error;
    }
    return this.add(kind, file, size, fileEncSha256);
  }

  /** Stores a blob a simulated peer encrypted (no HTTP: the peer is the simulator itself). */
  async put(kind: StoredKind, blob: Buffer, fileEncSha256: Buffer): Promise<StoredBlob> {
    const file = join(this.dir, `${this.nextFile++}.enc`);
    await writeFile(file, blob);
    return this.add(kind, file, blob.length, fileEncSha256);
  }

  /** A blob by its url, direct path or path alone (the query is ignored, as WhatsApp's is only a signature). */
  find(urlOrPath: string): StoredBlob | undefined {
    try {
      return this.blobs.get(new URL(urlOrPath, `https://${MEDIA_HOST}`).pathname);
    } catch {
      return undefined;
    }
  }

  /**
   * Forgets the blob's path, as WhatsApp's CDN drops files after a while: downloads get 404. The
   * file stays on disk, so the sender's phone can upload it again ({@link reupload}).
   */
  expire(urlOrPath: string): StoredBlob | undefined {
    const blob = this.find(urlOrPath);
    if (blob) this.blobs.delete(new URL(blob.directPath, `https://${MEDIA_HOST}`).pathname);
    return blob;
  }

  /** The same bytes stored again under a new path, as a phone answering a media retry does. */
  reupload(kind: MediaKind, blob: StoredBlob): StoredBlob {
    return this.add(kind, blob.file, blob.size, blob.fileEncSha256);
  }

  async close(): Promise<void> {
    this.blobs.clear();
    await rm(this.dir, { recursive: true, force: true });
  }

  private add(kind: StoredKind, file: string, size: number, fileEncSha256: Buffer): StoredBlob {
    const pathType = kind === 'md-msg-hist' ? HISTORY_PATH_TYPE : CDN_TYPES[kind].pathType;
    const pathname = `/v/${pathType}/${numericId()}_${numericId()}_${numericId()}_n.enc`;
    // The query mirrors WhatsApp's (cache key, signature `oh`, expiry `oe` in hex seconds); the
    // simulator does not check it, so a test can download with or without it.
    const expires = Math.floor(Date.now() / 1000) + 30 * 24 * 3600;
    const query = `ccb=11-4&oh=01_${randomBytes(24).toString('base64url')}&oe=${expires.toString(16).toUpperCase()}&_nc_sid=5e03e0`;
    const directPath = `${pathname}?${query}`;
    const blob: StoredBlob = {
      directPath,
      url: `https://${MEDIA_HOST}${directPath}&mms3=true`,
      file,
      size,
      fileEncSha256,
    };
    this.blobs.set(pathname, blob);
    this.counters.uploads++;
    this.counters.bytesStored += size;
    return blob;
  }
}

function numericId(): string {
  return String(randomInt(1, 2 ** 47));
}
