/**
 * Folds events from the stream into what a view already shows. Events can arrive out of order
 * (docs/events.md: "No ordering guarantee"), so a session keeps the newest status by the event's
 * timestamp and a message the furthest status along its path.
 */
import type { GatewayEvent } from '../../live-events.js';
import type { Message, MessageStatus, Session, SessionStatus } from './session-types.js';

interface StatusData {
  status: SessionStatus;
  reason: string | null;
  disconnectCode: number | null;
  workerId: string | null;
}

/** The session after a `session.status` event, or the same object when the event is older. */
export function applySessionStatus(session: Session, event: GatewayEvent): Session {
  if (event.sessionId !== session.id) return session;
  if (Date.parse(event.timestamp) < Date.parse(session.statusChangedAt)) return session;
  const data = event.data as unknown as StatusData;
  return {
    ...session,
    status: data.status,
    statusReason: data.reason,
    lastDisconnectCode: data.disconnectCode,
    // Workers always name themselves; null is the scheduler resetting a dead worker's session, which
    // clears the owner (packages/maintenance session-status-event.ts).
    ownerWorkerId: data.workerId,
    statusChangedAt: event.timestamp,
  };
}

/** Outbound progress; a later receipt never moves a message back (`failed` never follows `delivered`). */
const RANK: Record<MessageStatus, number> = {
  queued: 0,
  sending: 1,
  sent: 2,
  failed: 2.5,
  delivered: 3,
  read: 4,
  played: 5,
  cancelled: 6,
  received: 6,
};

/** The message after a `message.status` event's status, unless that would move it backwards. */
export function applyMessageStatus(message: Message, status: MessageStatus, reason: string | null): Message {
  // `queued` after `sending` is a real step back (a send put back to be retried).
  const retried = status === 'queued' && message.status === 'sending';
  if (!retried && RANK[status] < RANK[message.status]) return message;
  return { ...message, status, statusReason: reason };
}
