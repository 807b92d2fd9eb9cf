import type { Readable } from 'node:stream';
import { AppError } from '@wagw/errors';
import {
  type GetResult,
  type MediaInfo,
  MediaNotFoundError,
  MediaRangeError,
  type MediaStore,
  MediaTooLargeError,
  signedMediaLink,
  verifyMediaSignature,
} from '@wagw/media';
import type { RangeRequest } from './range-header.js';

/** How the API stores and serves media (config.media, with the store built by main.ts). */
export interface MediaSettings {
  store: MediaStore;
  /** MEDIA_MAX_BYTES: the largest upload, enforced while it streams in. */
  maxBytes: number;
  /** MEDIA_URL_SECRET (or its derivation from API_KEY): the HMAC key of signed links. */
  urlSecret: string;
  /** MEDIA_URL_TTL: lifetime of the link an upload answers with, in ms. */
  urlTtlMs: number;
  /** PUBLIC_URL: links are absolute when set. */
  publicUrl?: string | undefined;
  /** MEDIA_BASE64_MAX_BYTES: the largest file a message may carry inline, decoded. */
  base64MaxBytes: number;
  /** FFMPEG_PATH: converts other audio to voice notes; without it such voice notes are refused (422). */
  ffmpegPath: string;
}

export interface StoredMedia {
  id: string;
  sha256: string;
  size: number;
  mimetype: string;
  /** A path with a signed query, `/api/media/<id>?expires=…&signature=…`, readable without a key. */
  url: string;
  urlExpiresAt: string;
}

/**
 * Uploads and downloads through the media store, with the store's typed errors turned into stable
 * API codes. Anything else the store throws (a full disk, an unreachable bucket) is our side, not
 * the client's: 503 MEDIA_STORE_UNAVAILABLE, with the cause kept for the log.
 */
export function createMediaService(settings: MediaSettings, countStored: (bytes: number) => void) {
  const { store } = settings;

  function failure(err: unknown): AppError {
    if (err instanceof AppError) return err;
    if (err instanceof MediaNotFoundError) return new AppError('MEDIA_NOT_FOUND', err.message);
    if (err instanceof MediaTooLargeError) {
      return new AppError('PAYLOAD_TOO_LARGE', err.message, { details: { maxBytes: err.maxBytes } });
    }
    if (err instanceof MediaRangeError) {
      return new AppError('MEDIA_RANGE_NOT_SATISFIABLE', err.message, { details: { size: err.size } });
    }
    return new AppError('MEDIA_STORE_UNAVAILABLE', 'the media store failed', { cause: err });
  }

  const guarded = <T>(work: Promise<T>): Promise<T> =>
    work.catch((err: unknown) => {
      throw failure(err);
    });

  function signedLink(id: string): { url: string; urlExpiresAt: string } {
    return signedMediaLink(id, {
      secret: settings.urlSecret,
      ttlMs: settings.urlTtlMs,
      publicUrl: settings.publicUrl,
    });
  }

  return {
    maxBytes: settings.maxBytes,

    /**
     * Streams `source` into the store; the type is sniffed from the bytes, never taken from the client.
     * `sourceFailed` tells a broken upload (the client's fault: 400) from a failing store (503).
     */
    async upload(source: Readable, sourceFailed: () => Error | undefined): Promise<StoredMedia> {
      let info: MediaInfo;
      try {
        info = await store.put(source, { maxBytes: settings.maxBytes });
      } catch (err) {
        const broken = sourceFailed();
        if (broken && !(err instanceof MediaTooLargeError)) {
          throw new AppError('VALIDATION_FAILED', 'the upload ended before its file was complete', {
            cause: broken,
          });
        }
        throw failure(err);
      }
      countStored(info.size);
      return {
        id: info.id,
        sha256: info.sha256,
        size: info.size,
        mimetype: info.mimetype,
        ...signedLink(info.id),
      };
    },

    /** The object's description, for conditional requests and suffix ranges. */
    stat: (id: string): Promise<MediaInfo> => guarded(store.stat(id)),

    /** The bytes of `id`, whole or the resolved range (a suffix needs `size`, from `stat`). */
    open(id: string, range: RangeRequest, size: number): Promise<GetResult> {
      if (range.kind === 'none') return guarded(store.get(id));
      if (range.kind === 'range')
        return guarded(store.get(id, { range: { start: range.start, end: range.end } }));
      // "The last n bytes": of an empty object, or n = 0, nothing is satisfiable.
      if (range.length === 0 || size === 0)
        return Promise.reject(failure(new MediaRangeError(size, size, undefined)));
      return guarded(store.get(id, { range: { start: Math.max(0, size - range.length) } }));
    },

    /**
     * Checks a signed link's query. Malformed, tampered and expired links get one code (and the
     * reason in the message): the receiver's fix is the same, a fresh link.
     */
    verifyLink(id: string, query: { expires?: unknown; signature?: unknown }): void {
      const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
      const check = verifyMediaSignature(
        id,
        { expires: text(query.expires), signature: text(query.signature) },
        { secret: settings.urlSecret },
      );
      if (!check.ok) throw new AppError('MEDIA_LINK_INVALID', `this media link is ${check.reason}`);
    },
  };
}

export type MediaService = ReturnType<typeof createMediaService>;
