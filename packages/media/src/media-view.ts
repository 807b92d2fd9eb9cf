import { MEDIA_MESSAGE_TYPES, type MediaMessageType } from './kind-rules.js';
import { type MediaLinkSettings, signedMediaLink } from './signed-url.js';

/**
 * How a message row's payload holds its file (both directions): `media` is the stored file
 * `{ id, sha256, size, mimetype }`, an outbound `{ url }` not fetched yet, an inbound
 * `{ pending: true }` while it downloads, or `{ error }` when that failed for good. `caption`,
 * `fileName` and the client's `mimetype` sit beside it.
 */
export interface MediaView {
  type: MediaMessageType;
  id?: string;
  mimetype?: string;
  size?: number;
  sha256?: string;
  fileName?: string;
  caption?: string;
  /** A signed link to GET /api/media/:id, readable without an API key until `urlExpiresAt`. */
  url?: string;
  urlExpiresAt?: string;
  /** An outbound file's source URL, until the worker has fetched it. */
  sourceUrl?: string;
  /** Inbound: the download is still running. */
  pending?: true;
  /** Why the file is not there (a failed download or fetch); the message itself is kept. */
  error?: string;
}

const isMediaType = (type: string): type is MediaMessageType =>
  (MEDIA_MESSAGE_TYPES as readonly string[]).includes(type);

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The public `media` of a message (views, webhooks, SSE), or undefined for a message without
 * media. `links` signs the link; without it (a worker given no link secret) there is no `url`.
 */
export function mediaView(
  type: string,
  payload: Record<string, unknown>,
  links: MediaLinkSettings | undefined,
  now: Date = new Date(),
): MediaView | undefined {
  if (!isMediaType(type)) return undefined;
  const media = (payload.media ?? {}) as Record<string, unknown>;
  const id = text(media.id);
  const view: MediaView = { type };
  if (id !== undefined) {
    view.id = id;
    const sha256 = text(media.sha256);
    if (sha256 !== undefined) view.sha256 = sha256;
    if (typeof media.size === 'number') view.size = media.size;
  }
  const mimetype = text(media.mimetype) ?? text(payload.mimetype);
  if (mimetype !== undefined) view.mimetype = mimetype;
  const fileName = text(payload.fileName);
  if (fileName !== undefined) view.fileName = fileName;
  const caption = text(payload.caption);
  if (caption !== undefined) view.caption = caption;
  if (id !== undefined && links) Object.assign(view, signedMediaLink(id, links, now));
  const sourceUrl = text(media.url);
  if (sourceUrl !== undefined && id === undefined) view.sourceUrl = sourceUrl;
  if (media.pending === true) view.pending = true;
  const error = text(media.error);
  if (error !== undefined) view.error = error;
  return view;
}
