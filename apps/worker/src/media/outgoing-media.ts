import { open } from 'node:fs/promises';
import type { Message, Repositories } from '@wagw/db';
import {
  checkMediaKind,
  convertToVoiceNote,
  essence,
  ffmpegAvailable,
  isVoiceReady,
  type LocalMedia,
  MediaFetchError,
  MediaNotFoundError,
  MediaTooLargeError,
  SNIFF_BYTES,
  sniffMimetype,
  VoiceConversionError,
} from '@wagw/media';
import type { MediaEvent } from '@wagw/queue';
import { isBrokenCircuit } from '@wagw/resilience';
import { type MediaPayload, type OutgoingContent, toMediaContent } from '../messaging/content.js';
import { MediaSendError } from './media-send-error.js';
import { fetchedMediaId } from './url-source.js';
import { videoPreview } from './video-preview.js';
import type { WorkerMedia } from './worker-media.js';

/** A media message ready for `sendMessage`; `release` once the attempt is over. */
export interface PreparedMedia {
  out: OutgoingContent;
  /** Bytes of the file sent (for the `sent` counter). */
  size: number;
  release(): Promise<void>;
}

export interface OutgoingMediaDeps {
  media: WorkerMedia;
  repos: Pick<Repositories, 'messages'>;
  /** Runs a database call through the worker's database breaker. */
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Counts a media event (best effort: never throws). */
  record: (event: MediaEvent, bytes: number) => void;
}

/** Converting a voice note of a few minutes takes well under a second; this bounds a pathological one. */
const CONVERT_TIMEOUT_MS = 120_000;

/**
 * Makes the file of a media message ready on this host, before the send breaker is involved: the
 * stored file it names, or its URL fetched into the store (once: the row then names the stored
 * file); the bytes sniffed and checked against the message type; a voice note converted when it is
 * not Ogg/Opus already; a video's thumbnail. Every failure is a `MediaSendError` (or a database
 * breaker refusal, which the send path holds for).
 */
export function createOutgoingMedia(deps: OutgoingMediaDeps) {
  const { store, config, sendCaches } = deps.media;

  async function voiceNoteOf(source: LocalMedia, sniffed: string): Promise<LocalMedia> {
    const cached = sendCaches.voiceNotes.get(source.info.id);
    if (cached) {
      try {
        return await store.localFile(cached);
      } catch (err) {
        if (!(err instanceof MediaNotFoundError)) throw err;
      }
    }
    if (!(await ffmpegAvailable(config.ffmpegPath))) {
      throw new MediaSendError(
        'UNSUPPORTED_MEDIA',
        `a voice note from ${essence(sniffed)} needs ffmpeg to convert it to Ogg/Opus, and this worker has none (FFMPEG_PATH)`,
        false,
      );
    }
    // Sessions sending the same file at the same time share one conversion.
    const { converting } = sendCaches;
    let pending = converting.get(source.info.id);
    if (!pending) {
      pending = convertToVoiceNote(source.path, {
        ffmpegPath: config.ffmpegPath,
        store,
        maxBytes: config.maxBytes,
        timeoutMs: CONVERT_TIMEOUT_MS,
      }).then((info) => info.id);
      converting.set(source.info.id, pending);
      void pending
        .then((id) => sendCaches.voiceNotes.set(source.info.id, id))
        .catch(() => undefined)
        .finally(() => converting.delete(source.info.id));
    }
    return store.localFile(await pending);
  }

  async function prepareFile(row: Message, payload: MediaPayload): Promise<PreparedMedia> {
    const id = await fetchedMediaId(row, payload, { ...deps, store, config, cache: sendCaches.fetchedUrls });
    let local = await store.localFile(id);
    try {
      let sniffed = await sniffFile(local.path);
      const check = checkMediaKind(payload.type, sniffed, payload.mimetype);
      if (!check.ok) throw new MediaSendError('UNSUPPORTED_MEDIA', check.reason, false);
      if (payload.type === 'voice' && !isVoiceReady(sniffed)) {
        const note = await voiceNoteOf(local, sniffed);
        await local.release();
        local = note;
        sniffed = note.info.mimetype;
      }
      const preview =
        payload.type === 'video' ? await videoPreview(local.path, config.ffmpegPath) : undefined;
      const held = local;
      return {
        out: { content: toMediaContent(payload, { path: held.path, mimetype: sniffed }, preview) },
        size: held.info.size,
        release: () => held.release(),
      };
    } catch (err) {
      await local.release();
      throw err;
    }
  }

  return {
    /** Throws `MediaSendError`, or a database breaker refusal. */
    async prepare(row: Message, payload: MediaPayload): Promise<PreparedMedia> {
      try {
        return await prepareFile(row, payload);
      } catch (err) {
        throw asSendError(err);
      }
    },
    /** Counts a media message WhatsApp took. */
    sent(prepared: PreparedMedia): void {
      deps.record('sent', prepared.size);
    },
  };
}

export type OutgoingMedia = ReturnType<typeof createOutgoingMedia>;

/** The type of a file from its first bytes, as the store's sniffer sees them. */
async function sniffFile(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0);
    return sniffMimetype(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

function asSendError(err: unknown): unknown {
  if (err instanceof MediaSendError || isBrokenCircuit(err)) return err;
  if (err instanceof MediaFetchError) {
    return err.kind === 'forbidden'
      ? new MediaSendError('MEDIA_URL_FORBIDDEN', err.message, false)
      : new MediaSendError('MEDIA_FETCH_FAILED', err.message, err.transient);
  }
  if (err instanceof MediaNotFoundError) {
    return new MediaSendError('MEDIA_NOT_FOUND', 'the stored file of this message is gone', false);
  }
  if (err instanceof VoiceConversionError) {
    return new MediaSendError(
      'UNSUPPORTED_MEDIA',
      err.kind === 'missing' ? `voice notes need ffmpeg (FFMPEG_PATH): ${err.message}` : err.message,
      false,
    );
  }
  if (err instanceof MediaTooLargeError) {
    return new MediaSendError('UNSUPPORTED_MEDIA', `the converted voice note: ${err.message}`, false);
  }
  // The store could not read or write (a full disk, S3 unreachable): worth another attempt.
  return new MediaSendError('MEDIA_STORE_FAILED', (err as Error | undefined)?.message ?? String(err), true);
}
