import type { proto } from '@whiskeysockets/baileys';
import type { PeerMediaInput } from '../media/peer-media.js';
import { type EncType, PeerUser, type PeerUserInit } from '../signal/index.js';
import type { DecryptedMessage } from './message-log.js';
import type { Addressing, ReceiptType } from './peer-stanzas.js';

export interface SendOptions {
  /** `pn` (default): `from=PN` with `sender_lid`; `lid`: `from=LID` with `sender_pn`, `addressing_mode="lid"`. */
  addressing?: Addressing;
  /** Message id; default a fresh `3A…` id. */
  id?: string;
}

/** What a peer sent to an account: one stanza per companion of the account, all with the same id. */
export interface SentMessage {
  id: string;
  /** Companions (device PN jids) it was written to now; the others get it when they next connect. */
  deliveredTo: string[];
  queuedFor: string[];
  /** Signal message type per companion, in the order above: `pkmsg` opens a session, `msg` follows up. */
  types: EncType[];
}

/** The messaging operations a contact delegates to (implemented by `Messaging`). */
export interface ContactActions {
  sendMessage(
    from: PeerUser,
    to: string,
    message: proto.IMessage,
    options?: SendOptions,
  ): Promise<SentMessage>;
  sendMedia(from: PeerUser, to: string, media: PeerMediaInput, options?: SendOptions): Promise<SentMessage>;
  receipt(from: PeerUser, ids: string | string[], type?: ReceiptType): Promise<number>;
  decrypted(peer: PeerUser): DecryptedMessage[];
}

/** A simulated WhatsApp user tests talk through: sends texts and receipts, shows what it decrypted. */
export class Contact extends PeerUser {
  constructor(
    init: PeerUserInit,
    private readonly actions: ContactActions,
  ) {
    super(init);
  }

  /** Sends `conversation` text to an account (phone digits or jid) from this contact's phone. */
  sendText(to: string, text: string, options?: SendOptions): Promise<SentMessage> {
    return this.actions.sendMessage(this, to, { conversation: text }, options);
  }

  sendMessage(to: string, message: proto.IMessage, options?: SendOptions): Promise<SentMessage> {
    return this.actions.sendMessage(this, to, message, options);
  }

  /**
   * Sends a file as WhatsApp does: encrypted with a fresh media key, the blob stored on the simulator's CDN,
   * and an image/video/audio/document/sticker message carrying url, directPath and the keys.
   */
  sendMedia(to: string, media: PeerMediaInput, options?: SendOptions): Promise<SentMessage> {
    return this.actions.sendMedia(this, to, media, options);
  }

  /** Delivery (default), read or played receipt for messages this contact received. Returns stanzas sent. */
  receipt(ids: string | string[], type: ReceiptType = 'delivery'): Promise<number> {
    return this.actions.receipt(this, ids, type);
  }

  /** Messages this contact's devices decrypted, oldest first. */
  decrypted(): DecryptedMessage[] {
    return this.actions.decrypted(this);
  }

  /** Texts this contact received, oldest first (one entry per decrypted copy). */
  texts(): Array<string | undefined> {
    return this.decrypted().map((m) => m.text);
  }
}
