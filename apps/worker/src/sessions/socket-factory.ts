import type { Logger } from '@wagw/logger';
import {
  type AuthenticationState,
  Browsers,
  type GroupMetadata,
  makeWASocket,
  WA_CERT_DETAILS,
  type WASocket,
} from '@whiskeysockets/baileys';
import { createMediaUploadCache } from '../media/media-upload-cache.js';
import type { MediaTransport } from './media-origin.js';
import { withSharedAsyncStorage } from './shared-async-storage.js';

export interface SocketSettings {
  /** WhatsApp Web socket URL (WA_WS_URL); the simulator's in tests and by-hand runs. */
  wsUrl: string;
  /** Base64 32-byte root key to trust (WA_ROOT_PUBLIC_KEY); undefined keeps WhatsApp's own. */
  rootPublicKey?: string;
  /** Baileys' own log level. */
  logLevel: string;
  /** Baileys' socket timings (WA_KEEPALIVE_INTERVAL etc.; defaults and reasons in .env.example). */
  keepAliveIntervalMs: number;
  connectTimeoutMs: number;
  defaultQueryTimeoutMs: number;
  retryRequestDelayMs: number;
  maxMsgRetryCount: number;
}

/** What one session's socket adds to the worker-wide settings. */
export interface SessionSocketOptions {
  /** Stored group metadata, so a group send does not ask WhatsApp for the members each time. */
  cachedGroupMetadata?: (jid: string) => Promise<GroupMetadata | undefined>;
}

export type SocketFactory = (
  auth: AuthenticationState,
  logger: Logger,
  session?: SessionSocketOptions,
) => WASocket;

/** Builds Baileys sockets with the gateway's settings. Trusting a custom root is process-wide. */
export function createSocketFactory(
  settings: SocketSettings,
  /** The worker's media transport (WA_MEDIA_ORIGIN_OVERRIDE); undefined keeps WhatsApp's CDN. */
  media: MediaTransport | undefined,
): SocketFactory {
  if (settings.rootPublicKey) {
    const key = Buffer.from(settings.rootPublicKey, 'base64');
    if (key.length !== 32) throw new Error('WA_ROOT_PUBLIC_KEY must be 32 bytes in base64');
    WA_CERT_DETAILS.PUBLIC_KEY = key;
  }
  // One for the whole worker: a file sent by any of its sessions is uploaded once (see the cache).
  const mediaCache = createMediaUploadCache();
  // Baileys' per-socket AsyncLocalStorage would otherwise tax every promise of the process once per
  // socket ever created (see shared-async-storage.ts).
  return (auth, logger, session) =>
    withSharedAsyncStorage(() =>
      makeWASocket({
        auth,
        logger: logger.child({ module: 'baileys' }, { level: settings.logLevel }) as never,
        waWebSocketUrl: settings.wsUrl,
        browser: Browsers.macOS('Chrome'),
        keepAliveIntervalMs: settings.keepAliveIntervalMs,
        connectTimeoutMs: settings.connectTimeoutMs,
        defaultQueryTimeoutMs: settings.defaultQueryTimeoutMs,
        retryRequestDelayMs: settings.retryRequestDelayMs,
        maxMsgRetryCount: settings.maxMsgRetryCount,
        // Uploads only: Baileys' downloads take a dispatcher per call instead (media-origin.ts).
        ...(media ? { fetchAgent: media.fetchAgent } : {}),
        // Downloads Baileys makes by itself (the first login's history sync blob, app-state
        // snapshots) take the socket's fetch options: the same dispatcher as our media downloads.
        ...(media ? { options: media.downloadOptions } : {}),
        mediaCache,
        ...(session?.cachedGroupMetadata ? { cachedGroupMetadata: session.cachedGroupMetadata } : {}),
        // A gateway is not a phone: do not appear online or pull full history on every connect.
        markOnlineOnConnect: false,
        syncFullHistory: false,
        printQRInTerminal: false,
      }),
    );
}
