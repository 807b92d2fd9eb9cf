/**
 * Errors of the media store. Callers branch on `code` (the API maps them to HTTP answers), so a
 * code is never renamed or reused; add a new class instead.
 */
export type MediaErrorCode = 'MEDIA_TOO_LARGE' | 'MEDIA_NOT_FOUND' | 'MEDIA_RANGE_NOT_SATISFIABLE';

export class MediaStoreError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaStoreError';
  }
}

/** The input went past `maxBytes`; the store stopped reading it and kept nothing. */
export class MediaTooLargeError extends MediaStoreError {
  constructor(readonly maxBytes: number) {
    super('MEDIA_TOO_LARGE', `media exceeds the limit of ${maxBytes} bytes`);
    this.name = 'MediaTooLargeError';
  }
}

/**
 * No object has this id. A malformed id (not 64 lowercase hex digits) gets the same error: it names
 * no object, and it is refused before it can reach a path or an object key.
 */
export class MediaNotFoundError extends MediaStoreError {
  constructor(readonly id: string) {
    super('MEDIA_NOT_FOUND', `no media with id "${id.slice(0, 80)}"`);
    this.name = 'MediaNotFoundError';
  }
}

/** Resolves to undefined where `lookup` finds no object; every other failure passes through. */
export async function unlessMissing<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (err) {
    if (err instanceof MediaNotFoundError) return undefined;
    throw err;
  }
}

/** The requested byte range lies outside the object (HTTP answers this with 416 and `bytes *\/size`). */
export class MediaRangeError extends MediaStoreError {
  constructor(
    readonly size: number,
    readonly start: number,
    readonly end: number | undefined,
  ) {
    super(
      'MEDIA_RANGE_NOT_SATISFIABLE',
      `range ${start}-${end ?? ''} is outside 0-${size - 1} (size ${size})`,
    );
    this.name = 'MediaRangeError';
  }
}

/** A one-line reason for health reports, whatever was thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
