import { api } from '../../api.js';

/** Messages sent and received by one session in the last 24 hours (GET /api/sessions/:id/stats). */
export interface MessageCounts {
  /** Outbound messages that reached `sent` in the period. */
  sent: number;
  /** Inbound messages stored in the period. */
  received: number;
}

export async function countMessages(sessionId: string): Promise<MessageCounts> {
  const stats = await api<{ sent24h: number; received24h: number }>(
    'GET',
    `/api/sessions/${encodeURIComponent(sessionId)}/stats`,
  );
  return { sent: stats.sent24h, received: stats.received24h };
}
