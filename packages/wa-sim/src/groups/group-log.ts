import type { proto } from '@whiskeysockets/baileys';
import { Waiters } from '../messaging/waiters.js';

/**
 * What became of one group message at one member device:
 * - `decrypted`: a simulated device (a contact, or an account's phone) decrypted it with the sender key;
 * - `relayed`: the server wrote it to a companion (a real client), or queued it while that was offline;
 * - `failed`: a simulated device lacked the sender key (it then sent a retry receipt).
 */
export interface GroupDelivery {
  groupId: string;
  id: string;
  /** Sending device, LID device jid (`100200300400500:5@lid`, or `…@lid` for a phone). */
  sender: string;
  /** Receiving device, LID device jid. */
  recipient: string;
  /** Phone digits of the receiving user. */
  recipientPhone: string;
  outcome: 'decrypted' | 'relayed' | 'failed';
  /** How the sender key arrived with this copy: `pkmsg`/`msg` carried a distribution message, `none` did not. */
  distribution: 'pkmsg' | 'msg' | 'none';
  /** True when this copy answered a retry receipt. */
  retry: boolean;
  message?: proto.Message;
  text?: string;
  error?: string;
  at: number;
}

/** A `w:gp2` notification the server wrote (or queued) for one member device. */
export interface GroupNotificationRecord {
  groupId: string;
  /** Receiving device: a companion's PN device jid, or the LID device jid of a device the simulator plays. */
  to: string;
  /** `companion` (a real client: the stanza was written or queued) or `simulated` (taken as delivered). */
  device: 'companion' | 'simulated';
  /** The change: `create`, `add`, `remove`, `promote`, `demote`, `subject`, `description`, `announcement`, … */
  change: string;
  /** False when the companion was offline and the notification was queued for its next login. */
  written: boolean;
  at: number;
}

/** Retry receipts, from simulated devices to sessions and from sessions to simulated peers. */
export interface GroupRetryRecord {
  groupId: string;
  id: string;
  /** Device that could not decrypt (LID device jid, or companion PN jid). */
  from: string;
  direction: 'peer-to-session' | 'session-to-peer';
  at: number;
}

/** Everything the group layer observed, with waits and counters. */
export class GroupLog {
  readonly deliveries: GroupDelivery[] = [];
  readonly notifications: GroupNotificationRecord[] = [];
  readonly retries: GroupRetryRecord[] = [];
  /** `w:g2` IQs by kind (`create`, `query`, `participating`, `add`, `remove`, `subject`, `invite`, `join`, …). */
  readonly iqs = new Map<string, number>();
  readonly deliveryWaiters = new Waiters<GroupDelivery>(() => this.deliveries);
  readonly notificationWaiters = new Waiters<GroupNotificationRecord>(() => this.notifications);
  readonly retryWaiters = new Waiters<GroupRetryRecord>(() => this.retries);

  countIq(kind: string): void {
    this.iqs.set(kind, (this.iqs.get(kind) ?? 0) + 1);
  }

  addDelivery(entry: GroupDelivery): void {
    this.deliveries.push(entry);
    this.deliveryWaiters.notify(entry);
  }

  addNotification(entry: GroupNotificationRecord): void {
    this.notifications.push(entry);
    this.notificationWaiters.notify(entry);
  }

  addRetry(entry: GroupRetryRecord): void {
    this.retries.push(entry);
    this.retryWaiters.notify(entry);
  }
}
