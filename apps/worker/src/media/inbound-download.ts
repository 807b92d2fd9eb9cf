import { type MediaInfo, type MediaStore, MediaTooLargeError } from '@wagw/media';
import { sleep } from '@wagw/resilience';
import { getMediaKeys } from '@whiskeysockets/baileys';
import type { Dispatcher } from 'undici';
import { decryptMedia, MediaIntegrityError } from './inbound-decrypt.js';
import type { InboundMediaDescriptor } from './inbound-descriptor.js';
import { CdnStatusError, openBlob } from './inbound-fetch.js';

/** Attempts per file, and the waits before the second and third (a CDN hiccup, a dropped link). */
const ATTEMPTS = 3;
const BACKOFF_MS: readonly number[] = [1_000, 4_000];

export interface InboundDownloadDeps {
  store: MediaStore;
  /** The file's cap in bytes (its type's, within MEDIA_MAX_BYTES), enforced while it streams. */
  maxBytes: number;
  /** WA_MEDIA_ORIGIN_OVERRIDE's dispatcher; undefined: undici's default. */
  dispatcher: Dispatcher | undefined;
  /**
   * Asks the sender's phone to upload the file again (Baileys' `updateMediaMessage`) and returns
   * the descriptor with the new location. Called when the CDN says the file is gone.
   */
  reupload: (descriptor: InboundMediaDescriptor) => Promise<InboundMediaDescriptor>;
  /** Stops the download (the session left this worker): it then rejects without retrying. */
  signal: AbortSignal;
  /** Waits before the retries; default 1 s, then 4 s. */
  backoffMs?: readonly number[];
  /** Called before each retry, with the error that caused it (for logs). */
  onRetry?: (err: unknown, attempt: number) => void;
}

/** The sender's phone could not be asked, or could not upload the file again. */
export class ReuploadFailedError extends Error {
  override readonly name = 'ReuploadFailedError';
}

const bytes = (base64: string | undefined) => (base64 ? Buffer.from(base64, 'base64') : undefined);

/** Errors no retry can fix: the file is too large, or not the file the message describes. */
function permanent(err: unknown): boolean {
  return err instanceof MediaTooLargeError || err instanceof MediaIntegrityError;
}

/** One download: CDN → decrypt and check → the media store, streamed, never whole in memory. */
async function fetchIntoStore(descriptor: InboundMediaDescriptor, deps: InboundDownloadDeps) {
  const keys = await getMediaKeys(Buffer.from(descriptor.mediaKey, 'base64'), descriptor.mediaType);
  const blob = await openBlob(descriptor, { dispatcher: deps.dispatcher, signal: deps.signal });
  const plain = decryptMedia(blob, keys, {
    fileEncSha256: bytes(descriptor.fileEncSha256),
    fileSha256: bytes(descriptor.fileSha256),
    fileLength: descriptor.fileLength,
  });
  return deps.store.put(plain, {
    maxBytes: deps.maxBytes,
    ...(descriptor.mimetype ? { mimetype: descriptor.mimetype } : {}),
  });
}

/**
 * Downloads an inbound file into the store, up to three attempts with backoff. A CDN that no
 * longer has the file (404/410: WhatsApp's CDN keeps files for a limited time) is answered with a
 * re-upload request to the sender, once per attempt, and the new location is kept for later ones.
 * Throws the last error when every attempt failed, at once for a permanent one.
 */
export async function downloadInbound(
  descriptor: InboundMediaDescriptor,
  deps: InboundDownloadDeps,
): Promise<MediaInfo> {
  let current = descriptor;
  for (let attempt = 1; ; attempt++) {
    try {
      try {
        return await fetchIntoStore(current, deps);
      } catch (err) {
        if (!(err instanceof CdnStatusError && err.gone)) throw err;
        current = await deps.reupload(current).catch((cause: unknown) => {
          throw new ReuploadFailedError(
            `the media CDN no longer has the file (${err.status}) and asking the sender to upload it again failed: ${reason(cause)}`,
          );
        });
        return await fetchIntoStore(current, deps);
      }
    } catch (err) {
      if (deps.signal.aborted || permanent(err) || attempt >= ATTEMPTS) throw err;
      deps.onRetry?.(err, attempt);
      const waits = deps.backoffMs ?? BACKOFF_MS;
      await sleep(waits[Math.min(attempt, waits.length) - 1] ?? 0, deps.signal);
      if (deps.signal.aborted) throw err;
    }
  }
}

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What `media.error` says about a download that gave up: short, stable and without secrets. */
export function downloadFailureReason(err: unknown, maxBytes: number): string {
  if (err instanceof MediaTooLargeError) return `the file is larger than the ${maxBytes}-byte limit`;
  if (err instanceof MediaIntegrityError || err instanceof ReuploadFailedError) return err.message;
  if (err instanceof CdnStatusError) return `${err.message} after ${ATTEMPTS} attempts`;
  return `the download failed after ${ATTEMPTS} attempts: ${reason(err)}`;
}
