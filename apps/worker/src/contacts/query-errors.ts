import { SessionRpcError } from '@wagw/queue';
import { DisconnectReason } from '@whiskeysockets/baileys';

/** The status of a Baileys error: an IQ error's code (`data`), or a Boom's HTTP-like status. */
export function queryStatus(err: unknown): number | undefined {
  const boom = err as { data?: unknown; output?: { statusCode?: number } };
  return typeof boom.data === 'number' ? boom.data : boom.output?.statusCode;
}

/**
 * A failed WhatsApp query as the caller should see it: the socket closing under it means the
 * session is not open (retry once it is), anything else is WhatsApp's answer (or silence).
 */
export function queryFailure(err: unknown, what: string): SessionRpcError {
  if (queryStatus(err) === DisconnectReason.connectionClosed) {
    return new SessionRpcError('SESSION_NOT_OPEN', `the session's connection closed during the ${what}`);
  }
  return new SessionRpcError(
    'WHATSAPP_QUERY_FAILED',
    `WhatsApp did not answer the ${what}: ${(err as Error).message}`,
  );
}
