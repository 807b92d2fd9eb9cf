import { createHash } from 'node:crypto';

/**
 * The WhatsApp message id of a wagw message, derived from its wagw id. Deterministic, so a send
 * retried after a crash (or on another worker after a failover) goes out under the same id and
 * the recipient's client shows it once. Same shape as Baileys' own ids: `3EB0` + 18 hex digits.
 */
export function waMessageIdFor(messageId: string): string {
  return `3EB0${createHash('sha256').update(messageId).digest('hex').slice(0, 18).toUpperCase()}`;
}
