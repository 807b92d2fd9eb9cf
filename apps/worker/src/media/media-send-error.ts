/**
 * Why the media of an outbound message could not be made ready. The code starts the message's
 * failure reason (`MEDIA_FETCH_FAILED: HTTP 404 from cdn.example.com`), which is what clients see in
 * the message view and the `message.status` webhook, so a code is never renamed.
 */
export type MediaFailureCode =
  /** The URL, a redirect or an address it resolves to is in a network the SSRF guard refuses. */
  | 'MEDIA_URL_FORBIDDEN'
  /** The URL could not be fetched: DNS, refused, 4xx/5xx, timeout, too large, empty. */
  | 'MEDIA_FETCH_FAILED'
  /** The file cannot go out as that type (wrong kind, mismatching mimetype, not convertible). */
  | 'UNSUPPORTED_MEDIA'
  /** The stored file the message names is gone. */
  | 'MEDIA_NOT_FOUND'
  /** The media store failed to read or write (a full disk, an unreachable S3). */
  | 'MEDIA_STORE_FAILED';

/**
 * A media failure of one send. `transient` ones are retried with the job's attempts; the others
 * fail the message at once. None of them counts against the send breaker: a bad URL or file is not
 * WhatsApp's fault, and must not stop the session's other sends.
 */
export class MediaSendError extends Error {
  constructor(
    readonly code: MediaFailureCode,
    readonly detail: string,
    readonly transient: boolean,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'MediaSendError';
  }

  /** The message's failure reason. */
  get reason(): string {
    return this.message;
  }
}
