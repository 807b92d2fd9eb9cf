import type { Session, SessionEvent } from '@wagw/db';
import type { z } from 'zod';
import type { SessionView, sessionEventView } from './sessions.schemas.js';

/** The public shape of a session: no lease generation, no pending-command stamp, no deleted_at. */
export function toSessionView(session: Session): SessionView {
  return {
    id: session.id,
    name: session.name,
    desiredState: session.desiredState,
    status: session.status,
    statusReason: session.statusReason,
    lastDisconnectCode: session.lastDisconnectCode,
    statusChangedAt: session.statusChangedAt.toISOString(),
    reconnectAttempts: session.reconnectAttempts,
    ownerWorkerId: session.ownerWorkerId,
    pendingCommand: session.pendingCommand,
    me: session.meJid ? { jid: session.meJid, lid: session.meLid, pushName: session.pushName } : null,
    settings: session.settings,
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
  };
}

export function toSessionEventView(event: SessionEvent): z.infer<typeof sessionEventView> {
  return {
    id: event.id,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    reason: event.reason,
    disconnectCode: event.disconnectCode,
    workerId: event.workerId,
    createdAt: event.createdAt.toISOString(),
  };
}
