import type { Repositories, Session } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { type Breaker, createBreaker } from '@wagw/resilience';
import type { BaileysEventMap, WASocket } from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import { createAckWaiter } from './ack-waiter.js';
import { processPresence, processRead } from './chat-actions.processor.js';
import { type DeliveryWorker, startDeliveryWorker } from './delivery-worker.js';
import { createInbound } from './inbound.js';
import type { MessageEvents } from './message-events.js';
import { type DailyCounter, limiterFor, type PacingDefaults } from './pacing.js';
import { createProfilePictures } from './profile-pictures.js';
import { createRecipientCheck } from './recipients.js';
import { processSend, type SendContext } from './send.processor.js';
import { createStatusTracker } from './status-tracker.js';

/** What every session's messaging shares within one worker process. */
export interface MessagingShared {
  repos: Pick<Repositories, 'messages' | 'contacts' | 'sessions'>;
  /** Database calls of the send/status path go through the worker's database breaker. */
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  dbBreaker: Breaker;
  events: MessageEvents;
  daily: DailyCounter;
  /** Consumer-profile Redis connection for the delivery workers. */
  connection: Redis;
  prefix: string;
  pacing: PacingDefaults;
  ackTimeoutMs: number;
  profilePictureTimeoutMs: number;
  sendBreaker: { failureThreshold: number; resetTimeoutMs: number };
  onBreakerChange: (name: string, state: string) => void;
}

/** Delivery workers of sessions that open together start spread over this many ms. */
const START_SPREAD_MS = 2000;

type Handlers = Partial<{ [K in keyof BaileysEventMap]: (arg: BaileysEventMap[K]) => Promise<void> | void }>;

/**
 * Messaging of one session on this worker, across its sockets: the send breaker, status tracking,
 * inbound storage and caches live as long as the session is owned here; the delivery worker and
 * the ack waiter live exactly as long as one open socket.
 */
export function createSessionMessaging(options: {
  sessionId: string;
  logger: Logger;
  holdsLease: () => boolean;
  shared: MessagingShared;
}) {
  const { sessionId, logger, shared } = options;
  const breaker = createBreaker({
    name: `send:${sessionId}`,
    threshold: shared.sendBreaker.failureThreshold,
    resetMs: shared.sendBreaker.resetTimeoutMs,
    onStateChange: (state, name) => shared.onBreakerChange(name, state),
  });
  const tracker = createStatusTracker({
    sessionId,
    logger,
    repos: shared.repos,
    db: shared.db,
    events: shared.events,
  });
  const pictures = createProfilePictures({
    sessionId,
    logger,
    timeoutMs: shared.profilePictureTimeoutMs,
    store: (jid, imgUrl) => shared.db(() => shared.repos.contacts.upsertMany(sessionId, [{ jid, imgUrl }])),
  });
  const recipients = createRecipientCheck();
  const overlimit = { streak: 0 };
  let sock: WASocket | undefined;
  let current: { delivery: DeliveryWorker; dispose: () => void } | undefined;
  // Bumped by every close, so an `opened` that was still loading settings when its socket closed
  // does not start a consumer for a dead socket.
  let epoch = 0;

  const lookupPicture = (jid: string) => {
    const live = sock;
    return live ? live.profilePictureUrl(jid, 'preview') : Promise.resolve(undefined);
  };
  const inbound = createInbound({
    sessionId,
    logger,
    repos: shared.repos,
    db: shared.db,
    events: shared.events,
    onSender: (jid) => pictures.refresh(lookupPicture, jid),
  });

  const handlers: Handlers = {
    'messages.update': (updates) => tracker.onUpdate(updates),
    'messages.upsert': async ({ messages }) => {
      await tracker.onOwnUpsert(messages.filter((m) => m.key.fromMe));
      await inbound.onMessages(messages.filter((m) => !m.key.fromMe));
    },
    'contacts.upsert': (contacts) => inbound.onContacts(contacts),
    'contacts.update': async (contacts) => {
      for (const contact of contacts) {
        if (contact.id && contact.imgUrl === 'changed') {
          pictures.invalidate(contact.id);
          pictures.refresh(lookupPicture, contact.id);
        }
      }
      await inbound.onContacts(contacts);
    },
  };

  async function sleepUnlessClosed(ms: number, mine: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (mine === epoch && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, deadline - Date.now())));
    }
  }

  async function loadSession(): Promise<Pick<Session, 'createdAt' | 'settings'>> {
    const session = await shared.repos.sessions.getById(sessionId).catch((err) => {
      logger.warn({ err, sessionId }, 'loading session settings failed; using defaults');
      return null;
    });
    return session ?? { createdAt: new Date(), settings: {} };
  }

  async function opened(live: WASocket): Promise<void> {
    if (current) await closed();
    const mine = epoch;
    sock = live;
    const session = await loadSession();
    // A BullMQ Worker costs ~7 ms of CPU and a blocking Redis connection to start (measured: 200 in
    // one process, 1.5 s CPU, 400 ms event-loop stall). Spread the starts when many sessions open at
    // once (a worker restart, the end of an outage) so the stall never reaches the lease clock.
    await sleepUnlessClosed(Math.random() * START_SPREAD_MS, mine);
    if (mine !== epoch) return;
    const acks = createAckWaiter(live);
    const abort = new AbortController();
    const isOpen = () => !abort.signal.aborted && live.ws.isOpen && options.holdsLease();
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        if (ms <= 0 || abort.signal.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          abort.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        abort.signal.addEventListener('abort', done, { once: true });
      });
    const base: Omit<SendContext, 'hold'> = {
      sessionId,
      logger,
      sock: live,
      isOpen,
      sleep,
      db: shared.db,
      dbRetryAfterMs: () => shared.dbBreaker.retryAfterMs(),
      repos: shared.repos,
      session,
      tracker,
      breaker,
      acks,
      recipients,
      pacing: shared.pacing,
      daily: shared.daily,
      ackTimeoutMs: shared.ackTimeoutMs,
      overlimit,
    };
    const delivery = startDeliveryWorker({
      sessionId,
      logger,
      connection: shared.connection,
      prefix: shared.prefix,
      limiter: limiterFor(session.settings, shared.pacing),
      handlers: {
        send: (job, hold) => processSend(job, { ...base, hold }),
        read: (job, hold) => processRead(job, { sock: live, isOpen, hold }),
        presence: (job, hold) => processPresence(job, { sock: live, isOpen, hold }),
      },
    });
    current = {
      delivery,
      dispose: () => {
        abort.abort();
        acks.dispose();
      },
    };
    logger.debug({ sessionId }, 'delivery started');
  }

  /** Stops delivery for the socket that ended: the job in hand is put back, then the consumer closes. */
  async function closed(): Promise<void> {
    epoch++;
    sock = undefined;
    const ending = current;
    current = undefined;
    if (!ending) return;
    ending.dispose();
    await ending.delivery
      .close()
      .catch((err) => logger.warn({ err, sessionId }, 'closing delivery worker failed'));
  }

  return {
    sessionId,
    handlers,
    opened,
    closed,
    breaker,
    async dispose(): Promise<void> {
      await closed();
      breaker.dispose();
    },
  };
}

export type SessionMessaging = ReturnType<typeof createSessionMessaging>;
