import type { MessageStatus } from '@wagw/db';

/**
 * Outbound statuses in the order a message moves through them. Receipts arrive out of order (a
 * read receipt can beat the delivery receipt, a retried send can re-report `sent`), so a status
 * only ever moves forward along this rank.
 */
const RANK: Partial<Record<MessageStatus, number>> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  played: 5,
};

/** Statuses a message never leaves. */
const FINAL: readonly MessageStatus[] = ['failed', 'cancelled', 'played', 'received'];

/** Once the recipient's phone has it, a late error (a stray error ack) cannot un-deliver it. */
const REACHED_RECIPIENT: readonly MessageStatus[] = ['delivered', 'read', 'played'];

/** Whether `current` may become `next`: forward along the rank only; `failed` before delivery only. */
export function canAdvance(current: MessageStatus, next: MessageStatus): boolean {
  if (current === next || FINAL.includes(current)) return false;
  if (next === 'failed') return !REACHED_RECIPIENT.includes(current);
  const from = RANK[current];
  const to = RANK[next];
  return from !== undefined && to !== undefined && to > from;
}

/** Baileys' `proto.WebMessageInfo.Status` numbers. */
const WA_STATUS = {
  ERROR: 0,
  PENDING: 1,
  SERVER_ACK: 2,
  DELIVERY_ACK: 3,
  READ: 4,
  PLAYED: 5,
} as const;

/** Our status for a Baileys status number; undefined for PENDING (nothing happened yet) and unknowns. */
export function statusFromBaileys(status: number | null | undefined): MessageStatus | undefined {
  switch (status) {
    case WA_STATUS.ERROR:
      return 'failed';
    case WA_STATUS.SERVER_ACK:
      return 'sent';
    case WA_STATUS.DELIVERY_ACK:
      return 'delivered';
    case WA_STATUS.READ:
      return 'read';
    case WA_STATUS.PLAYED:
      return 'played';
    default:
      return undefined;
  }
}

/** The failure reason Baileys attaches to an ERROR status (`["463", "Your account has been restricted"]`). */
export function errorReason(params: readonly string[] | null | undefined): string {
  const [code, text] = params ?? [];
  if (!code) return 'WhatsApp reported an error for this message';
  return text ? `WhatsApp error ${code}: ${text}` : `WhatsApp error ${code}`;
}
