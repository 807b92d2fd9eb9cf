import type { proto } from '@whiskeysockets/baileys';
import type { ReceivedMedia } from '../media/peer-media.js';
import type { EncType } from '../signal/index.js';
import { Waiters } from './waiters.js';

/** One `<to>` copy of a client message, as decrypted by the simulated device it was addressed to. */
export interface DecryptedMessage {
  /** Message id chosen by the client. */
  id: string;
  /** Companion that sent it, device-qualified PN jid (`15550001111:5@s.whatsapp.net`). */
  sender: string;
  /** Chat the client addressed (`to` of the stanza), PN or LID. */
  chat: string;
  /** Device jid of the `<to>` entry that was decrypted. */
  recipient: string;
  /** Phone digits of the user whose device decrypted it (a contact, or the sender's own phone). */
  recipientPhone: string;
  /** True for the copy to the sender's own phone (`deviceSentMessage`). */
  ownDevice: boolean;
  encType: EncType;
  message: proto.Message;
  /** Plain text, from `conversation` or `extendedTextMessage`, unwrapping `deviceSentMessage`. */
  text: string | undefined;
  /** For image/video/audio/document/sticker messages: what the peer found fetching and decrypting the file. */
  media?: ReceivedMedia;
  at: number;
}

/** A copy that could not be decrypted (kept so tests can show why a message went missing). */
export interface DecryptFailure {
  id: string;
  recipient: string;
  error: string;
  at: number;
}

/** A receipt the client sent for a message a peer delivered to it. */
export interface ClientReceipt {
  ids: string[];
  /** `to` of the receipt: the chat (peer PN or LID). */
  to: string;
  /** Absent = delivery; Baileys sends `inactive` without an `available` presence, `read` on readMessages. */
  type: string | undefined;
  connectionId: number;
  at: number;
}

/** Everything the messaging layer observed, with counters and waits for tests. */
export class MessageLog {
  readonly decrypted: DecryptedMessage[] = [];
  readonly failures: DecryptFailure[] = [];
  readonly clientReceipts: ClientReceipt[] = [];
  /** `<ack class="receipt">` the client sent for receipts the simulator delivered. */
  receiptAcks = 0;
  private readonly copies = new Map<string, number>();
  readonly messageWaiters = new Waiters<DecryptedMessage>(() => this.decrypted);
  readonly receiptWaiters = new Waiters<ClientReceipt>(() => this.clientReceipts);

  addDecrypted(entry: DecryptedMessage): void {
    this.decrypted.push(entry);
    const key = copyKey(entry.recipient, entry.id);
    this.copies.set(key, (this.copies.get(key) ?? 0) + 1);
    this.messageWaiters.notify(entry);
  }

  addFailure(failure: DecryptFailure): void {
    this.failures.push(failure);
  }

  addClientReceipt(receipt: ClientReceipt): void {
    this.clientReceipts.push(receipt);
    this.receiptWaiters.notify(receipt);
  }

  /** Number of copies (other than own-device copies) each contact phone received, by phone digits. */
  receivedPerRecipient(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const entry of this.decrypted) {
      if (!entry.ownDevice) counts.set(entry.recipientPhone, (counts.get(entry.recipientPhone) ?? 0) + 1);
    }
    return counts;
  }

  /** `recipient device jid → message id` pairs that arrived more than once, with their count. */
  duplicates(): Array<{ recipient: string; id: string; count: number }> {
    const out: Array<{ recipient: string; id: string; count: number }> = [];
    for (const [key, count] of this.copies) {
      if (count > 1) {
        const [recipient = '', id = ''] = key.split('\n');
        out.push({ recipient, id, count });
      }
    }
    return out;
  }
}

function copyKey(recipient: string, id: string): string {
  return `${recipient}\n${id}`;
}
