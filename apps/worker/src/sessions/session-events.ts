import type { OutboxEvent, Session, SessionStatus } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import {
  createEvent,
  type GatewayEvent,
  publishEvent,
  type RedisConnection,
  recordDisconnect,
  redisKeys,
  replicaAck,
  sessionStatusEvent,
} from '@wagw/queue';
import { createOutboxRemovals, type OutboxStore } from '../messaging/outbox-removals.js';

/** A QR code lives about a minute on WhatsApp's side; keep ours no longer. */
const QR_TTL_MS = 60_000;
/** WhatsApp accepts a pairing code for a few minutes at most. */
const PAIRING_CODE_TTL_MS = 180_000;

/**
 * Publishes session status changes and QR codes on the shared event stream (live streams,
 * webhooks) and keeps the current QR where any API replica can serve it. A status change's event
 * is written to the event outbox with the change (`statusEvent` builds it for the transition), so
 * it survives this process dying after the commit or Redis being away: published here, its outbox
 * row is deleted; not published, the scheduler's relay sends it later under the same id. QR codes
 * and pairing codes are short-lived and not stored: publishing them is best effort. A Redis
 * hiccup must never stop a session from running.
 */
export function createSessionEvents(deps: {
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
  workerId: string;
  /** Where published status events' outbox rows are deleted; absent: nothing is deleted (tests). */
  outbox?: OutboxStore;
}) {
  const keys = redisKeys(deps.prefix);
  const removals = createOutboxRemovals(deps.outbox, deps.logger, replicaAck(deps.redis));
  const envelopeOf = (session: Session, previous: SessionStatus | null) =>
    sessionStatusEvent(session, {
      previous,
      workerId: deps.workerId,
      disconnectCode: session.lastDisconnectCode,
    });

  async function safely(what: string, sessionId: string, fn: () => Promise<unknown>) {
    await fn().catch((err) => deps.logger.warn({ err, sessionId }, `publishing ${what} failed`));
  }

  return {
    /** `session.status` of a transition, for the outbox (written in the transition's transaction). */
    statusEvent(session: Session, previous: SessionStatus): OutboxEvent {
      const envelope = envelopeOf(session, previous);
      return { id: envelope.id, sessionId: session.id, envelope: { ...envelope } };
    },

    /**
     * Announces a recorded change: `stored` is its outbox event when the transition wrote one
     * (published, then its row deleted); without one a fresh envelope is published, best effort.
     */
    async status(session: Session, previous: SessionStatus | null, stored?: OutboxEvent): Promise<void> {
      if (session.status !== 'qr')
        await safely('qr cleanup', session.id, () => deps.redis.del(keys.qr(session.id)));
      // The runner passes a code only on the transition that follows a disconnect, so each
      // disconnect is counted once; `reconnecting`/`connecting` mean the worker tries again.
      const code = session.lastDisconnectCode;
      if (code !== null)
        await safely('disconnect metrics', session.id, () =>
          recordDisconnect(deps.redis, deps.prefix, code, {
            reconnecting: session.status === 'reconnecting' || session.status === 'connecting',
          }),
        );
      const envelope = stored ? (stored.envelope as unknown as GatewayEvent) : envelopeOf(session, previous);
      try {
        await publishEvent(deps.redis, deps.prefix, envelope);
      } catch (err) {
        deps.logger.warn(
          { err, sessionId: session.id, eventId: envelope.id },
          stored
            ? 'publishing session status failed; the outbox relay will send it'
            : 'publishing session status failed',
        );
        return;
      }
      if (stored) removals.add(stored.id);
    },

    /** Deletes the outbox rows of events published so far (at shutdown). */
    flush: () => removals.flush(),

    /** Pairing-code requests: the API writes the phone number, the session's owner the code. */
    pairing(sessionId: string) {
      return {
        take: async () => {
          const raw = await deps.redis.getdel(keys.pairingRequest(sessionId));
          return raw ? (JSON.parse(raw) as { phone: string }).phone : null;
        },
        store: async (code: string) => {
          await deps.redis.set(keys.pairingCode(sessionId), code, 'PX', PAIRING_CODE_TTL_MS);
          await publishEvent(
            deps.redis,
            deps.prefix,
            createEvent('session.pairing_code', sessionId, { code }),
          );
        },
      };
    },

    async qr(sessionId: string, qr: string): Promise<void> {
      await safely('qr', sessionId, async () => {
        await deps.redis.set(keys.qr(sessionId), qr, 'PX', QR_TTL_MS);
        await publishEvent(deps.redis, deps.prefix, createEvent('session.qr', sessionId, { qr }));
      });
    },
  };
}
