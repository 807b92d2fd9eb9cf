import type { MediaDownload, Message, NewMessage, Repositories } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { type MediaLinkSettings, type MediaMessageType, mediaView } from '@wagw/media';
import { createBulkhead } from '@wagw/resilience';
import type { WASocket } from '@whiskeysockets/baileys';
import type { MessageEvents } from '../messaging/message-events.js';
import type { ExtractedMedia } from './inbound-content.js';
import { type InboundMediaDescriptor, parseDescriptor } from './inbound-descriptor.js';
import { downloadFailureReason, downloadInbound } from './inbound-download.js';
import { inboundMediaCap } from './inbound-limits.js';
import { requestReupload } from './inbound-reupload.js';
import type { WorkerMedia } from './worker-media.js';

export interface InboundMediaDeps {
  sessionId: string;
  logger: Logger;
  repos: Pick<Repositories, 'messages' | 'mediaDownloads'>;
  /** Runs a database call through the worker's database breaker. */
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  events: MessageEvents;
  media: WorkerMedia;
  /** The session's socket while one is open: re-upload requests go through it. */
  socket: () => WASocket | undefined;
  /** How one file is downloaded; default `downloadInbound` (CDN, decryption, store). */
  downloader?: typeof downloadInbound;
}

/** Pending downloads read per query when a session is taken over. */
const RESUME_PAGE = 100;

type InboundRow = NewMessage & { id: string; waMessageId: string };

/** The signed-link settings of the worker's events, or none without a link secret. */
function linkSettings(config: WorkerMedia['config']): MediaLinkSettings | undefined {
  if (!config.urlSecret) return undefined;
  return { secret: config.urlSecret, ttlMs: config.urlTtlMs, publicUrl: config.publicUrl };
}

/** Whether the file is stored or has failed for good (only the announcement may be left). */
const isSettled = (payload: Record<string, unknown>) => {
  const media = payload.media as Record<string, unknown> | undefined;
  return typeof media?.id === 'string' || typeof media?.error === 'string';
};

/**
 * Inbound media of one session while this worker owns it. A media message is stored at once with
 * `media: { pending: true }` and its download descriptor (one transaction); the file is then
 * downloaded in the background, at most `MEDIA_INBOUND_CONCURRENCY` at a time per session, so the
 * socket's event handler never waits for a CDN and a burst of videos cannot starve the session's
 * sends. Only when the file is stored (or has failed for good, `media: { error }`) is
 * `message.received` published, with the signed link, and the descriptor deleted. A worker that
 * dies meanwhile leaves the descriptor behind; the next owner resumes it when the session opens, and
 * the event's id is derived from the message so a repeated announcement is deduplicated.
 */
export function createInboundMedia(deps: InboundMediaDeps) {
  const { sessionId, logger, repos, db, events, media } = deps;
  const bulkhead = createBulkhead(media.config.inboundConcurrency);
  const stop = new AbortController();
  const running = new Map<string, Promise<void>>();
  const links = linkSettings(media.config);

  /** Publishes `message.received` for a settled message, then forgets its descriptor. */
  async function announce(row: Message): Promise<void> {
    await events.received(sessionId, row, mediaView(row.type, row.payload, links));
    await db(() => repos.mediaDownloads.delete(row.id));
  }

  async function settle(row: Message, outcome: Record<string, unknown>, mediaId: string | null) {
    const payload = { ...row.payload, media: outcome };
    const updated = await db(() => repos.messages.updateMedia(row.id, payload, mediaId));
    await announce(updated ?? { ...row, payload, mediaId });
  }

  async function download(row: Message, descriptor: InboundMediaDescriptor): Promise<void> {
    const maxBytes = inboundMediaCap(row.type as MediaMessageType, media.config.maxBytes);
    const started = performance.now();
    try {
      const info = await (deps.downloader ?? downloadInbound)(descriptor, {
        store: media.store,
        maxBytes,
        dispatcher: media.transport?.downloadOptions.dispatcher,
        reupload: (current) => requestReupload(deps.socket(), current),
        signal: stop.signal,
        onRetry: (err, attempt) =>
          logger.info(
            { err, sessionId, messageId: row.id, attempt },
            'inbound media download failed; retrying',
          ),
      });
      const stored = { id: info.id, sha256: info.sha256, size: info.size, mimetype: info.mimetype };
      await settle(row, stored, info.id);
      await events.mediaCounted('received', info.size);
      logger.debug(
        { sessionId, messageId: row.id, size: info.size, ms: Math.round(performance.now() - started) },
        'inbound media stored',
      );
    } catch (err) {
      // The session left this worker mid-download: its next owner resumes from the descriptor.
      if (stop.signal.aborted) return;
      logger.warn({ err, sessionId, messageId: row.id }, 'inbound media download failed for good');
      await settle(row, { error: downloadFailureReason(err, maxBytes) }, null);
      await events.mediaCounted('failed', descriptor.fileLength ?? 0);
    }
  }

  /** A pending download of a stored message: downloaded, or only announced if that was all left. */
  async function handle(messageId: string, stored: Record<string, unknown>): Promise<void> {
    if (stop.signal.aborted) return;
    const row = await db(() => repos.messages.getById(messageId));
    if (!row) return; // deleted with its session; the descriptor went with it (cascade)
    if (isSettled(row.payload)) return announce(row);
    const descriptor = parseDescriptor(stored);
    if (!descriptor) return settle(row, { error: 'the stored download descriptor is not readable' }, null);
    await download(row, descriptor);
  }

  /** Runs the message's download through the session's bulkhead, once per message at a time. */
  function schedule(messageId: string, descriptor: Record<string, unknown>): void {
    if (running.has(messageId) || stop.signal.aborted) return;
    const task = bulkhead
      .execute(() => handle(messageId, descriptor))
      .catch((err) => logger.warn({ err, sessionId, messageId }, 'inbound media left pending'))
      .finally(() => running.delete(messageId));
    running.set(messageId, task);
  }

  return {
    /**
     * Stores an inbound media message and starts its download, or, for a file refused unread
     * (`media.error` already), stores and announces it. False for a message already stored.
     * `key` is the message's key as WhatsApp sent it, which a re-upload request must name.
     */
    async store(
      row: InboundRow,
      extracted: ExtractedMedia,
      key: InboundMediaDescriptor['key'],
    ): Promise<boolean> {
      const { download: part } = extracted;
      if (!part) {
        const inserted = await db(() => repos.messages.insertInboundIgnoringDuplicates(row));
        if (inserted) {
          const view = mediaView(row.type, row.payload, links);
          await events.received(sessionId, { ...row, createdAt: row.createdAt ?? new Date() }, view);
          await events.mediaCounted('failed', 0);
        }
        return inserted;
      }
      const descriptor: InboundMediaDescriptor = { ...part, key };
      const json = { ...descriptor } as unknown as Record<string, unknown>;
      const inserted = await db(() => repos.mediaDownloads.insertWithMessage(row, json));
      if (inserted) schedule(row.id, json);
      return inserted;
    },

    /** Resumes every download of the session still pending in the database (after a takeover). */
    async resume(): Promise<void> {
      let after: string | null = null;
      for (;;) {
        const page: MediaDownload[] = await db(() =>
          repos.mediaDownloads.listBySession(sessionId, { limit: RESUME_PAGE, afterMessageId: after }),
        );
        for (const pending of page) schedule(pending.messageId, pending.descriptor);
        if (page.length < RESUME_PAGE) return;
        after = page.at(-1)?.messageId ?? null;
      }
    },

    /** Stops every download (their descriptors stay for the next owner) and waits for them to end. */
    async dispose(): Promise<void> {
      stop.abort();
      await Promise.allSettled([...running.values()]);
    },
  };
}

export type InboundMedia = ReturnType<typeof createInboundMedia>;
