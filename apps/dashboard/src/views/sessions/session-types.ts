/** The API's views of sessions and messages, as far as the dashboard reads them (openapi.json). */

export type SessionStatus =
  | 'stopped'
  | 'starting'
  | 'qr'
  | 'connecting'
  | 'open'
  | 'reconnecting'
  | 'failed'
  | 'logged_out'
  | 'conflict'
  | 'needs_pairing';

export interface Session {
  id: string;
  name: string;
  desiredState: 'running' | 'stopped';
  status: SessionStatus;
  statusReason: string | null;
  lastDisconnectCode: number | null;
  statusChangedAt: string;
  reconnectAttempts: number;
  ownerWorkerId: string | null;
  pendingCommand: 'restart' | 'logout' | null;
  me: { jid: string; lid: string | null; pushName: string | null } | null;
  createdAt: string;
}

/** One row of GET /api/sessions/:id/events: a status transition. */
export interface SessionTransition {
  id: string;
  fromStatus: SessionStatus | null;
  toStatus: SessionStatus;
  reason: string | null;
  disconnectCode: number | null;
  workerId: string | null;
  createdAt: string;
}

export type MessageStatus =
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'played'
  | 'failed'
  | 'cancelled'
  | 'received';

export interface Message {
  id: string;
  direction: 'outbound' | 'inbound';
  remoteJid: string;
  type: string;
  payload: Record<string, unknown>;
  status: MessageStatus;
  statusReason: string | null;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Statuses in which a session waits for (or may need) a phone to link it. */
export function needsPairing(status: SessionStatus): boolean {
  return status === 'qr' || status === 'needs_pairing' || status === 'logged_out';
}
