import type { Logger } from '@wagw/logger';
import type { RedisConnection } from '@wagw/queue';
import type { WASocket } from '@whiskeysockets/baileys';
import { createAckWaiter } from './ack-waiter.js';
import { processPresence, processRead } from './chat-actions.processor.js';
import { releaseHeldEvents } from './held-events.js';
import { createOnDemandConsumer } from './on-demand-consumer.js';
import { limiterFor } from './pacing.js';
import { processSend, type SendContext } from './send.processor.js';
import { startSendQueueConsumer } from './send-queue.consumer.js';

/** The parts of a send's context that outlive one socket (the worker's and the session's). */
export type LongLivedSendParts = Omit<SendContext, 'sock' | 'isOpen' | 'closed' | 'acks' | 'session'>;

export interface SocketDeliveryOptions {
  sock: WASocket;
  /** Aborted when this socket closes (by `SessionMessaging.closed`). */
  closed: AbortSignal;
  holdsLease: () => boolean;
  session: SendContext['session'];
  parts: LongLivedSendParts;
  /** Consumer-profile Redis connection for the send-queue consumer. */
  connection: RedisConnection;
  prefix: string;
  /** SEND_LOCK_DURATION: lock on the job in hand. */
  lockDurationMs: number;
  /** SEND_CONSUMER_IDLE: how long the consumer is kept with nothing to send. */
  consumerIdleMs: number;
  /** Whether the session's send queue holds jobs. */
  hasWork: () => Promise<boolean>;
  logger: Logger;
}

/**
 * Delivery for one open socket: the send context is built here once, and the ack waiter lives
 * exactly as long as the socket. The session's send-queue consumer runs within that only while the
 * queue has work (on-demand-consumer.ts): `wake` and `observe` start and stop it.
 */
export function startSocketDelivery(options: SocketDeliveryOptions) {
  const { sock, closed, parts } = options;
  const acks = createAckWaiter(sock);
  const held = releaseHeldEvents(sock);
  const isOpen = () => !closed.aborted && sock.ws.isOpen && options.holdsLease();
  const ctx: SendContext = { ...parts, sock, isOpen, closed, acks, session: options.session };
  const chat = { sock, isOpen };
  const consumer = createOnDemandConsumer({
    sessionId: parts.sessionId,
    logger: options.logger,
    idleMs: options.consumerIdleMs,
    hasWork: options.hasWork,
    start: () =>
      startSendQueueConsumer({
        sessionId: parts.sessionId,
        logger: options.logger,
        connection: options.connection,
        prefix: options.prefix,
        lockDurationMs: options.lockDurationMs,
        limiter: limiterFor(options.session.settings, parts.pacing),
        handlers: {
          send: (job) => processSend(job, ctx),
          read: (job) => processRead(job, chat),
          presence: (job) => processPresence(job, chat),
        },
      }),
  });
  options.logger.debug({ sessionId: parts.sessionId }, 'delivery started');

  return {
    /** Jobs were added to the session's send queue. */
    wake: consumer.wake,
    /** The periodic look at the queue found it `busy` (holding jobs) or not. */
    observe: consumer.observe,
    /** The socket is about to close on purpose: let the job in hand get its server ack first. */
    drain: (ms: number) => consumer.drain(ms),
    /** The socket ended: pending acks resolve as `closed`, the job in hand is put back, the consumer closes. */
    async close(): Promise<void> {
      acks.dispose();
      held.stop();
      await consumer.stop();
    },
  };
}

export type SocketDelivery = ReturnType<typeof startSocketDelivery>;
