import type { Readable } from 'node:stream';

/** What `put` accepts: a Node stream, or any async iterable of byte chunks (a generator, a web stream). */
export type MediaSource = Readable | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /** The content type when the caller knows it; when absent it is sniffed from the first bytes. */
  mimetype?: string;
  /** The input is refused with `MediaTooLargeError` as soon as it passes this many bytes. */
  maxBytes: number;
}

/** What the store knows about one object. */
export interface MediaInfo {
  /** Content address: the lowercase hex SHA-256 of the bytes (see `mediaIdFor`). */
  id: string;
  /** Lowercase hex SHA-256 of the bytes. */
  sha256: string;
  size: number;
  mimetype: string;
  /** When this content was first stored; storing it again does not change it. */
  createdAt: Date;
}

/** Inclusive byte offsets, as in HTTP `Range: bytes=start-end`; `end` absent means "to the end". */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface GetResult extends MediaInfo {
  /**
   * The bytes of the whole object, or of `range` when one was asked for. It holds an open file or
   * socket until it is read to the end or destroyed, so the caller must do one of the two.
   */
  stream: Readable;
  /** The range actually served (end clamped to the last byte), absent for the whole object. */
  range?: { start: number; end: number };
  /** A strong HTTP entity tag, the same on every backend: the quoted SHA-256. */
  etag: string;
}

export interface ListedMedia {
  id: string;
  size: number;
  createdAt: Date;
}

export interface MediaHealth {
  ok: boolean;
  backend: 'fs' | 's3';
  /** Why it is not ok (a timeout, a permission error, an unreachable endpoint). */
  error?: string;
}

/**
 * The bytes of one object as a file on this host, for consumers that can only read a path (ffmpeg,
 * Baileys' uploader). The path stays readable until `release()`; the caller must release it once.
 */
export interface LocalMedia {
  path: string;
  info: MediaInfo;
  release(): Promise<void>;
}

/**
 * A content-addressed media store. Bytes go through as streams: `put` never holds a whole file in
 * memory and `get` returns a stream, so a 100 MB video costs a few buffers, not 100 MB.
 * Both backends (`createFsMediaStore`, `createS3MediaStore`) pass the same contract tests.
 */
export interface MediaStore {
  /**
   * Stores the bytes and returns their address. The same bytes stored twice give the same id and
   * one object. Atomic: a failed or interrupted put leaves no object behind.
   */
  put(source: MediaSource, options: PutOptions): Promise<MediaInfo>;
  /** Throws `MediaNotFoundError`, or `MediaRangeError` for a range outside the object. */
  get(id: string, options?: { range?: ByteRange }): Promise<GetResult>;
  /** Throws `MediaNotFoundError`. */
  stat(id: string): Promise<MediaInfo>;
  /**
   * The object as a local file, stable per content: the filesystem store hands out its own file, the
   * S3 store a copy spooled once per host into its temp dir and shared by concurrent users (so the
   * same id gives the same path while it is in use, and caches keyed by path keep hitting).
   * Throws `MediaNotFoundError`.
   */
  localFile(id: string): Promise<LocalMedia>;
  /** Returns whether there was an object to delete. */
  delete(id: string): Promise<boolean>;
  /** Every object, or those first stored before `olderThan` (for the retention task). */
  list(options?: { olderThan?: Date }): AsyncIterable<ListedMedia>;
  /** Writable (filesystem) or reachable (S3), bounded by a timeout; never throws, never hangs. */
  health(): Promise<MediaHealth>;
}
