import { Readable } from 'node:stream';
import { AppError, type ErrorCode } from '@wagw/errors';
import {
  checkMediaKind,
  essence,
  ffmpegAvailable,
  isVoiceReady,
  type MediaInfo,
  type MediaMessageType,
  MediaNotFoundError,
  type MediaStore,
  MediaTooLargeError,
  sniffMimetype,
} from '@wagw/media';
import type { MediaSource } from '@wagw/queue';
import type { MediaSourceInput } from './media-input.schemas.js';

/** What the API needs to take in media messages (config.media, with the store main.ts opened). */
export interface MessageMediaSettings {
  store: MediaStore;
  /** MEDIA_BASE64_MAX_BYTES: the largest inline file, decoded. */
  base64MaxBytes: number;
  /** FFMPEG_PATH: a voice note in another format than Ogg/Opus is accepted only if it runs. */
  ffmpegPath: string;
}

export interface MessageMediaDeps {
  /** Absent (an API built without a store: the OpenAPI generator, tests of other areas): media is 503. */
  settings: MessageMediaSettings | undefined;
  /** Counts bytes stored from inline files (best effort, never throws). */
  countStored: (bytes: number) => void;
}

/** A refused file, reported like any other invalid message (per item in a bulk). */
export interface MediaFailure {
  code: ErrorCode;
  message: string;
  path: string;
  details?: Record<string, unknown>;
}

/** A `media.base64` file, decoded and checked, kept in memory until the whole request is valid. */
export interface InlineFile {
  bytes: Buffer;
  /** Sniffed from the bytes. */
  mimetype: string;
}

export type PreparedMedia =
  | { ok: true; media: MediaSource }
  | { ok: true; inline: InlineFile }
  | { ok: false; error: MediaFailure };

/** What a media message asks for: its kind, where the file comes from, the type the client claims. */
interface MediaRequest {
  type: MediaMessageType;
  media: MediaSourceInput;
  mimetype?: string | undefined;
}

const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/;

/** The decoded size of a base64 string, from its length alone: known before a byte is decoded. */
function decodedSize(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor(((base64.length - padding) * 3) / 4);
}

/** RFC 4648 base64 in either alphabet, padded or not; Buffer.from alone would skip bad characters. */
function isBase64(value: string): boolean {
  const padded = value.endsWith('=');
  if (padded ? value.length % 4 !== 0 : value.length % 4 === 1) return false;
  return STANDARD.test(value) || URL_SAFE.test(value);
}

const fail = (code: ErrorCode, message: string, path: string, details?: Record<string, unknown>) =>
  ({ ok: false, error: { code, message, path, ...(details ? { details } : {}) } }) as const;

/**
 * The media side of one send request (single or bulk): checks every file against its message kind
 * and keeps it off the store until the whole request is valid. A file named several times (a bulk
 * of one image) is decoded, looked up and stored once per request; across requests the store's
 * content addressing keeps one copy.
 */
export function mediaForRequest(deps: MessageMediaDeps) {
  const decoded = new Map<string, Promise<PreparedMedia>>();
  const looked = new Map<string, Promise<MediaInfo | undefined>>();
  const stored = new Map<InlineFile, Promise<MediaSource>>();

  function settings(): MessageMediaSettings {
    if (!deps.settings) throw new AppError('MEDIA_STORE_UNAVAILABLE', 'this API has no media store');
    return deps.settings;
  }

  /** A store failure is ours, not the client's: the whole request is a 503 and nothing is written. */
  function unavailable(err: unknown): AppError {
    return new AppError('MEDIA_STORE_UNAVAILABLE', 'the media store failed', { cause: err });
  }

  /** The kind rules, plus: converting audio to a voice note needs ffmpeg. */
  async function checkKind(request: MediaRequest, actual: string): Promise<PreparedMedia | undefined> {
    const check = checkMediaKind(request.type, actual, request.mimetype);
    if (!check.ok) return fail('UNSUPPORTED_MEDIA', check.reason, 'media');
    if (request.type === 'voice' && !isVoiceReady(actual)) {
      if (!(await ffmpegAvailable(settings().ffmpegPath))) {
        return fail(
          'UNSUPPORTED_MEDIA',
          `ffmpeg is needed to convert ${essence(actual)} to a voice note and this gateway has none (FFMPEG_PATH); send Ogg/Opus, or send the file as audio`,
          'media',
        );
      }
    }
    return undefined;
  }

  /** Decodes and sniffs an inline file; the kind is checked by the caller (the same bytes may go as several kinds). */
  async function decode(base64: string): Promise<PreparedMedia> {
    const { base64MaxBytes } = settings();
    // From the length alone, before decoding: a huge string costs no second copy in memory.
    const size = decodedSize(base64);
    if (size > base64MaxBytes) {
      return fail(
        'PAYLOAD_TOO_LARGE',
        `media.base64 is ${size} bytes decoded, over the limit of ${base64MaxBytes}; upload larger files with POST /api/media or send a URL`,
        'media.base64',
        { maxBytes: base64MaxBytes, size },
      );
    }
    if (!isBase64(base64)) {
      const hint = base64.startsWith('data:') ? ' (give the base64 text alone, not a data: URL)' : '';
      return fail('VALIDATION_FAILED', `media.base64 is not valid base64${hint}`, 'media.base64');
    }
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length === 0) return fail('VALIDATION_FAILED', 'media.base64 is an empty file', 'media.base64');
    return { ok: true, inline: { bytes, mimetype: await sniffMimetype(bytes) } };
  }

  async function lookUp(request: MediaRequest, id: string): Promise<PreparedMedia> {
    const { store } = settings();
    let info = looked.get(id);
    if (!info) {
      info = store.stat(id).catch((err: unknown) => {
        if (err instanceof MediaNotFoundError) return undefined;
        throw unavailable(err);
      });
      looked.set(id, info);
    }
    const found = await info;
    if (!found) return fail('MEDIA_NOT_FOUND', `no media with id "${id.slice(0, 80)}"`, 'media.id');
    const media = { id: found.id, sha256: found.sha256, size: found.size, mimetype: found.mimetype };
    return (await checkKind(request, found.mimetype)) ?? { ok: true, media };
  }

  return {
    /** Checks one message's file; nothing is stored yet. Throws only when the store itself fails. */
    async prepare(request: MediaRequest): Promise<PreparedMedia> {
      const { url, base64, id } = request.media;
      // Without a store every media message is refused, a URL too: the worker would have nowhere to put it.
      settings();
      if (id !== undefined) return lookUp(request, id);
      if (base64 !== undefined) {
        // Keyed by the text itself: identical items of a bulk are decoded and sniffed once.
        let result = decoded.get(base64);
        if (!result) {
          result = decode(base64);
          decoded.set(base64, result);
        }
        const prepared = await result;
        if (!prepared.ok || !('inline' in prepared)) return prepared;
        return (await checkKind(request, prepared.inline.mimetype)) ?? prepared;
      }
      if (url === undefined) throw new Error('media input without a source: the schema requires one');
      // A URL is fetched by the worker, not here: only a type the client declares can be checked now.
      if (request.mimetype !== undefined) {
        const refused = await checkKind(request, request.mimetype);
        if (refused) return refused;
      }
      return { ok: true, media: { url } };
    },

    /** Stores an inline file once the request is valid; the same file (by object) is stored once. */
    store(file: InlineFile): Promise<MediaSource> {
      let result = stored.get(file);
      if (!result) {
        result = put(settings().store, file);
        stored.set(file, result);
      }
      return result;
    },
  };

  async function put(store: MediaStore, file: InlineFile): Promise<MediaSource> {
    let info: MediaInfo;
    try {
      // The sniffed type goes with it: the store then keeps the type the kind was checked against.
      info = await store.put(Readable.from([file.bytes]), {
        mimetype: file.mimetype,
        maxBytes: settings().base64MaxBytes,
      });
    } catch (err) {
      if (err instanceof MediaTooLargeError) {
        throw new AppError('PAYLOAD_TOO_LARGE', err.message, { details: { maxBytes: err.maxBytes } });
      }
      throw unavailable(err);
    }
    deps.countStored(info.size);
    return { id: info.id, sha256: info.sha256, size: info.size, mimetype: info.mimetype };
  }
}

export type MediaForRequest = ReturnType<typeof mediaForRequest>;
