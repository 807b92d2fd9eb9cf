import type { Repositories, Session } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { type RedisConnection, recordMedia, redisKeys } from '@wagw/queue';
import { type Breaker, LazyBreaker, sleep } from '@wagw/resilience';
import type { BaileysEventMap, WAMessage, WASocket } from '@whiskeysockets/baileys';
import { createInboundMedia } from '../media/inbound-media.js';
import { createOutgoingMedia } from '../media/outgoing-media.js';
import type { WorkerMedia } from '../media/worker-media.js';
import { storedLidPairs } from '../sessions/lid-mapping-keys.js';
import type { SpoolCounters, SpoolWrite } from './db-spool.js';
import { HandedOver } from './handed-over.js';
import { createInbound } from './inbound.js';
import { LazyDbSpool } from './lazy-db-spool.js';
import type { MessageEvents } from './message-events.js';
import { once } from './once.js';
import type { DailyCounter, PacingDefaults } from './pacing.js';
import { createProfilePictures } from './profile-pictures.js';
import { createRecipientLookup } from './recipient-lookup.js';
import { type SocketDelivery, startSocketDelivery } from './socket-delivery.js';
import { createStatusTracker } from './status-tracker.js';

export interface BreakerSettings {
  failureThreshold: number;
  resetTimeoutMs: number;
}

/** What every session's messaging takes from the worker-wide service (worker-messaging.service.ts). */
export interface WorkerMessagingParts {
  repos: Pick<Repositories, 'messages' | 'contacts' | 'sessions' | 'mediaDownloads' | 'eventOutbox'>;
  /** Runs a database call through the worker's database breaker. */
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  dbBreaker: Breaker;
  events: MessageEvents;
  daily: DailyCounter;
  /** Consumer-profile Redis connection for the send-queue consumers. */
  connection: RedisConnection;
  /** Producer-profile connection (fails fast): counters. */
  redis: RedisConnection;
  prefix: string;
  delivery: PacingDefaults & {
    ackTimeoutMs: number;
    profilePictureTimeoutMs: number;
    lockDurationMs: number;
    consumerIdleMs: number;
  };
  /** Whether a session's send queue holds jobs (true when Redis cannot tell: better a consumer too many). */
  hasWork: (sessionId: string) => Promise<boolean>;
  /** MSG_FAILURE_THRESHOLD / MSG_RESET_TIMEOUT: each session's send breaker. */
  sendBreaker: BreakerSettings;
  onBreakerChange: (name: string, state: string) => void;
  /** The worker's media store, settings and CDN transport. */
  media: WorkerMedia;
  /** DB_SPOOL_MAX and the worker's spool counters (db-spool.ts). */
  spool: { max: number; counters: SpoolCounters };
}

/** Send-queue consumers of sessions that open together start spread over this many ms. */
const START_SPREAD_MS = 2000;

type Handlers = Partial<{ [K in keyof BaileysEventMap]: (arg: BaileysEventMap[K]) => Promise<void> | void }>;

/**
 * One open socket as messaging sees it: its abort signal fires on close, before delivery stops.
 * `session` is set once delivery may start; `delivery` is built on the queue's first work.
 */
interface SocketScope {
  sock: WASocket;
  abort: AbortController;
  session?: Pick<Session, 'createdAt' | 'settings'>;
  delivery?: SocketDelivery;
}

/**
 * Messaging of one session while it is owned by this worker, across its sockets: the send breaker,
 * status tracking, inbound storage and caches live as long as the ownership; `opened` readies
 * delivery for one socket (see socket-delivery.ts) and `closed` stops it.
 *
 * Most sessions of a large worker are idle, so what only traffic needs (status tracking, inbound,
 * media, pictures; a socket's delivery) is built on the first event or queued job: ~8 KiB of heap
 * less per idle session (docs/benchmarks.md, "Session density", run G); the send breaker on the
 * first send and the database spool on the first spooled write or when a former owner left entries
 * (run H).
 */
export function createSessionMessaging(options: {
  sessionId: string;
  logger: Logger;
  holdsLease: () => boolean;
  worker: WorkerMessagingParts;
}) {
  const { sessionId, logger, worker } = options;
  // Built on the first send: an idle session keeps no cockatiel policy.
  const breaker: Breaker = new LazyBreaker({
    name: `send:${sessionId}`,
    threshold: worker.sendBreaker.failureThreshold,
    resetMs: worker.sendBreaker.resetTimeoutMs,
    onStateChange: (state, name) => worker.onBreakerChange(name, state),
  });
  const { repos, db, events } = worker;
  // Inbound messages and receipts the database cannot take while it is unavailable wait here; the
  // spool needs the store functions below to replay them, hence the late binding.
  const spool: LazyDbSpool = new LazyDbSpool({
    sessionId,
    logger,
    redis: worker.redis,
    key: redisKeys(worker.prefix).dbSpool(sessionId),
    max: worker.spool.max,
    counters: worker.spool.counters,
    retryAfterMs: () => worker.dbBreaker.retryAfterMs(),
    holdsLease: options.holdsLease,
    replay: (entry): Promise<void> =>
      entry.kind === 'inbound' ? inbound().replay(entry.message) : tracker().replayReceipt(entry),
  });
  const toSpool = (write: SpoolWrite) => spool.push(write);
  const tracker = once(() => createStatusTracker({ sessionId, logger, repos, db, events, spool: toSpool }));
  const pictures = once(() =>
    createProfilePictures({
      sessionId,
      logger,
      timeoutMs: worker.delivery.profilePictureTimeoutMs,
      store: async (jid, imgUrl) => {
        await db(() => repos.contacts.upsertMany(sessionId, [{ jid, imgUrl }]));
      },
    }),
  );
  const parts = once(() => ({
    sessionId,
    logger,
    db,
    dbBreaker: worker.dbBreaker,
    repos,
    tracker: tracker(),
    breaker,
    recipients: createRecipientLookup(),
    pacing: worker.delivery,
    daily: worker.daily,
    overlimit: { streak: 0 },
    media: createOutgoingMedia({
      media: worker.media,
      repos,
      db,
      record: (event, bytes) =>
        void recordMedia(worker.redis, worker.prefix, event, bytes).catch((err) =>
          logger.debug({ err, sessionId }, 'media counter failed'),
        ),
    }),
  }));
  let current: SocketScope | undefined;

  // No socket (between a drop and the reconnect) is a failed lookup, retried, not "no picture".
  const lookupPicture = (jid: string) =>
    current
      ? current.sock.profilePictureUrl(jid, 'preview')
      : Promise.reject(new Error('no open socket for the profile picture lookup'));
  let disposed = false;
  const inboundMedia = once(() => {
    const built = createInboundMedia({
      sessionId,
      logger,
      repos,
      db,
      events,
      media: worker.media,
      socket: () => current?.sock,
    });
    // Built by a late event after the session left: downloads stay for the next owner, as on dispose.
    if (disposed) void built.dispose();
    return built;
  });
  const inbound = once(() =>
    createInbound({
      sessionId,
      logger,
      repos,
      db,
      events,
      media: inboundMedia(),
      mediaMaxBytes: worker.media.config.maxBytes,
      onSender: (jid) => pictures().refresh(lookupPicture, jid),
      spool: toSpool,
      lidPairs: async (jids) => (current ? storedLidPairs(current.sock.authState.keys, jids) : []),
    }),
  );
  // What a former owner (or this worker, before a restart) left is replayed now.
  spool.start();

  const handedOver = new HandedOver();
  /** Stores inbound messages as Baileys upserts them, before it goes on (message-turns.ts). */
  function handOver(messages: WAMessage[]): Promise<void> {
    handedOver.add(messages);
    return inbound().handOver(messages);
  }

  const handlers: Handlers = {
    'messages.update': (updates) => tracker().onUpdate(updates),
    'messages.upsert': async ({ messages }) => {
      await tracker().onOwnUpsert(messages.filter((m) => m.key.fromMe));
      await inbound().onMessages(messages.filter((m) => !m.key.fromMe && !handedOver.take(m)));
    },
    'contacts.upsert': (contacts) => inbound().onContacts(contacts),
    'contacts.update': async (contacts) => {
      for (const contact of contacts) {
        if (contact.id && contact.imgUrl === 'changed') {
          pictures().invalidate(contact.id);
          pictures().refresh(lookupPicture, contact.id);
        }
      }
      await inbound().onContacts(contacts);
    },
  };

  async function loadSession(): Promise<Pick<Session, 'createdAt' | 'settings'>> {
    const session = await repos.sessions.getById(sessionId).catch((err) => {
      logger.warn({ err, sessionId }, 'loading session settings failed; using defaults');
      return null;
    });
    return session ?? { createdAt: new Date(), settings: {} };
  }

  /** Downloads a previous owner (or socket) left pending; most sessions have none, so look first. */
  async function resumeDownloads(): Promise<void> {
    if (!inboundMedia.peek()) {
      const pending = await db(() =>
        repos.mediaDownloads.listBySession(sessionId, { limit: 1, afterMessageId: null }),
      );
      if (pending.length === 0) return;
    }
    await inboundMedia().resume();
  }

  /** The socket's delivery, built on the first work its queue has. */
  function deliveryFor(scope: SocketScope, session: NonNullable<SocketScope['session']>): SocketDelivery {
    scope.delivery ??= startSocketDelivery({
      sock: scope.sock,
      closed: scope.abort.signal,
      holdsLease: options.holdsLease,
      session,
      parts: parts(),
      connection: worker.connection,
      prefix: worker.prefix,
      lockDurationMs: worker.delivery.lockDurationMs,
      consumerIdleMs: worker.delivery.consumerIdleMs,
      hasWork: () => worker.hasWork(sessionId),
      logger,
    });
    return scope.delivery;
  }

  /** The periodic look at the queue (or the first one after an open): `busy` when it holds jobs. */
  function observe(busy: boolean): void {
    const scope = current;
    if (!scope?.session) return;
    if (busy) deliveryFor(scope, scope.session).observe(true);
    else scope.delivery?.observe(false);
  }

  /** The socket opened: ready its delivery, unless it closes first (settings load, start spread). */
  async function opened(sock: WASocket): Promise<void> {
    if (current) await closed();
    const scope: SocketScope = { sock, abort: new AbortController() };
    current = scope;
    // Pending media downloads resume now: they need no send consumer.
    void resumeDownloads().catch((err) => logger.warn({ err, sessionId }, 'resuming media downloads failed'));
    const session = await loadSession();
    // A BullMQ Worker costs ~7 ms of CPU and a blocking Redis connection to start (measured: 200 in
    // one process, 1.5 s CPU, 400 ms event-loop stall). Spread the starts when many sessions open at
    // once (a worker restart, the end of an outage, each with messages queued meanwhile) so the
    // stall never reaches the lease clock.
    await sleep(Math.random() * START_SPREAD_MS, scope.abort.signal);
    if (scope.abort.signal.aborted) return;
    scope.session = session;
    // Jobs queued while no socket was open, or a previous owner's, start the consumer now; an idle
    // session starts none until a job arrives (`wake`) or the periodic look finds one (`observe`).
    const busy = await worker.hasWork(sessionId);
    if (!scope.abort.signal.aborted && current === scope) observe(busy);
  }

  /** Stops delivery for the socket that ended: the job in hand is put back, then the consumer closes. */
  async function closed(): Promise<void> {
    const ending = current;
    current = undefined;
    if (!ending) return;
    ending.abort.abort();
    await ending.delivery
      ?.close()
      .catch((err) => logger.warn({ err, sessionId }, 'closing send queue consumer failed'));
  }

  /**
   * Before a deliberate close (shutdown, stop, restart): no new send starts and the one in hand gets
   * up to `ms` to be acknowledged, so the next owner does not send it a second time.
   */
  async function draining(ms: number): Promise<void> {
    await current?.delivery?.drain(ms);
  }

  return {
    handlers,
    handOver,
    opened,
    closed,
    draining,
    /** Jobs were added to the session's send queue (a producer's wake). */
    wake: () => observe(true),
    observe,
    /** Whether a socket is open with delivery ready (only then is the queue worth a look). */
    delivering: () => current?.session !== undefined,
    breaker,
    spoolDepth: () => spool.depth(),
    async dispose(): Promise<void> {
      disposed = true;
      await closed();
      await spool.dispose();
      await inboundMedia.peek()?.dispose();
      pictures.peek()?.dispose();
      breaker.dispose();
    },
  };
}

export type SessionMessaging = ReturnType<typeof createSessionMessaging>;
