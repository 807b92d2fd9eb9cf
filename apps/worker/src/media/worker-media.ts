import type { MediaConfig } from '@wagw/config';
import { type AddressGuard, type MediaInfo, type MediaStore, openMediaStore } from '@wagw/media';
import { addressGuard, createNetworkPolicy } from '@wagw/webhooks';
import { TtlCache } from '../messaging/ttl-cache.js';
import { createMediaTransport, type MediaOrigin, type MediaTransport } from '../sessions/media-origin.js';

/**
 * The media parts of one worker process, shared by every session it owns: the media store (the
 * same one the API writes uploads to), the settings, and the HTTP plumbing for WhatsApp's media
 * CDN (undefined unless WA_MEDIA_ORIGIN_OVERRIDE is set; Baileys' defaults then apply).
 */
export interface WorkerMedia {
  store: MediaStore;
  config: MediaConfig;
  transport: MediaTransport | undefined;
  /** The SSRF guard of `media.url` fetches: the webhooks' guard, with MEDIA_FETCH_ALLOWED_NETWORKS. */
  fetchGuard: AddressGuard;
  /** What this worker's media sends share (see outgoing-media.ts). */
  sendCaches: SendCaches;
}

export interface SendCaches {
  /** Source media id → its voice-note conversion, so a bulk of one MP3 is converted once. */
  voiceNotes: TtlCache<string>;
  /** Conversions under way by source id: sessions sending the same file at once share one. */
  converting: Map<string, Promise<string>>;
  /**
   * URL → what it was fetched as, for a minute: a bulk of one URL to many recipients fetches it
   * once rather than once per recipient, while a URL sent again later is fetched afresh.
   */
  fetchedUrls: TtlCache<MediaInfo>;
}

export function createWorkerMedia(config: MediaConfig, originOverride: MediaOrigin | undefined): WorkerMedia {
  return {
    store: openMediaStore(config.store),
    config,
    // One transport for every socket, so uploads and downloads share their connection pools.
    transport: createMediaTransport(originOverride),
    fetchGuard: addressGuard(createNetworkPolicy(config.fetch.allowedNetworks)),
    sendCaches: {
      voiceNotes: new TtlCache<string>(1000, 3600_000),
      converting: new Map(),
      fetchedUrls: new TtlCache<MediaInfo>(1000, 60_000),
    },
  };
}
