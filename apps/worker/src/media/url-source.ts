import type { MediaConfig } from '@wagw/config';
import type { Message, Repositories } from '@wagw/db';
import { type AddressGuard, fetchToStore, type MediaInfo, type MediaStore } from '@wagw/media';
import type { MediaEvent } from '@wagw/queue';
import type { MediaPayload } from '../messaging/content.js';
import type { TtlCache } from '../messaging/ttl-cache.js';

export interface UrlSourceDeps {
  store: Pick<MediaStore, 'put'>;
  config: Pick<MediaConfig, 'maxBytes' | 'fetch'>;
  media: { fetchGuard: AddressGuard };
  /** Recent fetches by URL (see `SendCaches.fetchedUrls`). */
  cache: TtlCache<MediaInfo>;
  repos: Pick<Repositories, 'messages'>;
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  record: (event: MediaEvent, bytes: number) => void;
}

/**
 * The media store id of the file a message sends. A stored file is named by the payload already; a
 * URL is fetched through the SSRF guard into the store, streamed, within MEDIA_MAX_BYTES and
 * MEDIA_FETCH_TIMEOUT, and the row is rewritten to name the stored file: a retry, or the worker that
 * takes the session over after a crash, sends that file instead of fetching the URL again.
 * Throws `MediaFetchError`.
 */
export async function fetchedMediaId(
  row: Message,
  payload: MediaPayload,
  deps: UrlSourceDeps,
): Promise<string> {
  const { media } = payload;
  if (!('url' in media)) return media.id;
  let info = deps.cache.get(media.url);
  if (!info) {
    info = await fetchToStore(media.url, {
      store: deps.store,
      guard: deps.media.fetchGuard,
      maxBytes: deps.config.maxBytes,
      timeoutMs: deps.config.fetch.timeoutMs,
    });
    deps.record('fetched', info.size);
    deps.cache.set(media.url, info);
  }
  const stored = { id: info.id, sha256: info.sha256, size: info.size, mimetype: info.mimetype };
  await deps.db(() => deps.repos.messages.updateMedia(row.id, { ...payload, media: stored }, info.id));
  return info.id;
}
