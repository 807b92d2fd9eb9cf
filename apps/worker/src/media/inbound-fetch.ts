import { DEFAULT_ORIGIN, getUrlFromDirectPath } from '@whiskeysockets/baileys';
import { type Dispatcher, request } from 'undici';
import type { InboundMediaDescriptor } from './inbound-descriptor.js';

/**
 * Giving up on a CDN that sends nothing: no response headers, or no body bytes, for this long.
 * Idle time rather than a total, so a large video on a slow link is not cut off while it flows.
 */
const IDLE_TIMEOUT_MS = 30_000;

/** The CDN answered something other than the file. 404 and 410 mean it no longer has it. */
export class CdnStatusError extends Error {
  override readonly name = 'CdnStatusError';

  constructor(readonly status: number) {
    super(`the media CDN answered ${status}`);
  }

  /** The file is gone from the CDN (expired): only the sender's phone can upload it again. */
  get gone(): boolean {
    return this.status === 404 || this.status === 410;
  }
}

/** The URL of a file: its direct path on the host of its `url` (WhatsApp's default host without one). */
function mediaUrl(descriptor: Pick<InboundMediaDescriptor, 'directPath' | 'url'>): string {
  if (!descriptor.directPath) return descriptor.url ?? '';
  let host: string | undefined;
  try {
    host = descriptor.url ? new URL(descriptor.url).host : undefined;
  } catch {
    host = undefined;
  }
  return getUrlFromDirectPath(descriptor.directPath, host);
}

/**
 * Opens the encrypted blob of a file on the CDN as a stream. Through undici's `request` rather than
 * Baileys' download helpers (7.0.0-rc14), which fall short three ways: the response is piped
 * without an error handler, so a CDN that drops the connection mid-body raises an uncaught
 * exception ("terminated") that takes the whole worker down (reproduced); no MAC or hash is checked;
 * and `downloadMediaMessage` never sends its re-upload request, because it looks for the HTTP status
 * on `error.status` where its Boom errors keep none. Here a dropped connection, an idle CDN or
 * `signal` ends the stream with an error its reader sees; decryption and checks are
 * `inbound-decrypt.ts`, the re-upload request `inbound-reupload.ts` (Baileys' `updateMediaMessage`).
 */
export async function openBlob(
  descriptor: Pick<InboundMediaDescriptor, 'directPath' | 'url'>,
  options: { dispatcher: Dispatcher | undefined; signal: AbortSignal },
): Promise<AsyncIterable<Uint8Array>> {
  const response = await request(mediaUrl(descriptor), {
    method: 'GET',
    // WhatsApp's CDN expects the web client's Origin, as Baileys sends it.
    headers: { origin: DEFAULT_ORIGIN },
    signal: options.signal,
    headersTimeout: IDLE_TIMEOUT_MS,
    bodyTimeout: IDLE_TIMEOUT_MS,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  if (response.statusCode !== 200) {
    // Release the connection, reading at most a little of an error page (a bare destroy() would
    // emit an abort error nobody listens to: an uncaught exception).
    await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    throw new CdnStatusError(response.statusCode);
  }
  // Nobody reads the body until the store has opened its file: a connection dropped in between
  // made the body emit an error without a listener, an uncaught exception (seen once in CI under
  // load). The reader still gets it: iterating a stream that failed throws its error.
  response.body.on('error', () => undefined);
  return response.body;
}
