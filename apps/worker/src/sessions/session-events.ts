import type { Session, SessionStatus } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { createEvent, publishEvent, type RedisConnection, recordDisconnect, redisKeys } from '@wagw/queue';

/** A QR code lives about a minute on WhatsApp's side; keep ours no longer. */
const QR_TTL_MS = 60_000;
/** WhatsApp accepts a pairing code for a few minutes at most. */
const PAIRING_CODE_TTL_MS = 180_000;

/**
 * Publishes session status changes and QR codes on the shared event stream (for the API's live
 * stream and, later, webhooks) and keeps the current QR where any API replica can serve it.
 * Publishing is best effort: a Redis hiccup must never stop a session from running.
 */
export function createSessionEvents(deps: {
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
  workerId: string;
}) {
  const keys = redisKeys(deps.prefix);

  async function safely(what: string, sessionId: string, fn: () => Promise<unknown>) {
    await fn().catch((err) => deps.logger.warn({ err, sessionId }, `publishing ${what} failed`));
  }

  return {
    async status(session: Session, previous: SessionStatus | null): Promise<void> {
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
      await safely('session status', session.id, () =>
        publishEvent(
          deps.redis,
          deps.prefix,
          createEvent('session.status', session.id, {
            status: session.status,
            previous,
            reason: session.statusReason,
            disconnectCode: session.lastDisconnectCode,
            workerId: deps.workerId,
          }),
        ),
      );
    },

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
