import type { MediaConfig } from '@wagw/config';
import { type MediaStore, openMediaStore } from '@wagw/media';
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
}

export function createWorkerMedia(config: MediaConfig, originOverride: MediaOrigin | undefined): WorkerMedia {
  return {
    store: openMediaStore(config.store),
    config,
    // One transport for every socket, so uploads and downloads share their connection pools.
    transport: createMediaTransport(originOverride),
  };
}
