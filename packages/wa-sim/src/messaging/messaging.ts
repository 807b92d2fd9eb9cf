import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import { encMediaType, mediaOf } from '../media/media-kinds.js';
import type { PeerMediaAccess } from '../media/media-tier.js';
import type { PeerMediaInput } from '../media/peer-media.js';
import type { SimConnection } from '../server/connection.js';
import type { PeerUser, PeerUserInit } from '../signal/index.js';
import type { WaSimulator } from '../wa-simulator.js';
import type { Companion } from '../world/world-types.js';
import { Contact, type ContactActions, type SendOptions, type SentMessage } from './contact.js';
import { DeliveryPolicy } from './delivery-policy.js';
import type { ClientReceipt, DecryptedMessage } from './message-log.js';
import { MessageLog } from './message-log.js';
import { OfflineQueue } from './offline-queue.js';
import { companionBundle, PeerDirectory } from './peer-directory.js';
import { newMessageId, peerMessageStanza, peerReceiptStanza, type ReceiptType } from './peer-stanzas.js';
import { ProfilePictureServer } from './profile-picture-server.js';

/** The parts of the simulator messaging uses. */
export type MessagingHost = Pick<WaSimulator, 'world' | 'router' | 'events' | 'connectionsOf' | 'counters'>;

/** Receipts contacts send by themselves for every message they decrypt. */
export type AutoReceipts = 'off' | 'delivery' | 'read';

/** Default wait of the `waitFor…` helpers. */
const DEFAULT_WAIT_MS = 5_000;

/**
 * Test-facing messaging API of a simulator: contacts with real Signal identities, what they decrypted,
 * receipts and inbound messages, and control over the server's acks.
 */
export class Messaging implements ContactActions {
  readonly log = new MessageLog();
  readonly directory: PeerDirectory;
  /** Fate of the server's `<ack class="message">`: errors (463, 479, …), delays, drops. */
  readonly acks = new DeliveryPolicy();
  /** Fate of contact receipts, manual and automatic: delays, drops. */
  readonly receipts = new DeliveryPolicy();
  /** Default `'off'`: tests send receipts themselves, since a receipt that beats the client's own upsert is merged into it. */
  autoReceipts: AutoReceipts = 'off';
  readonly pictures = new ProfilePictureServer();
  /** What each companion has yet to receive or acknowledge (WhatsApp's offline queue). */
  readonly offline = new OfflineQueue();
  /** What peers sent, by id, to encrypt again when a client asks (a retry receipt); the newest kept. */
  private readonly sentForRetry = new Map<string, SentForRetry>();

  constructor(
    private readonly host: MessagingHost,
    /** The CDN side peers use to fetch what sessions send and to store what they send themselves. */
    readonly media: PeerMediaAccess,
  ) {
    this.directory = new PeerDirectory(host.world);
  }

  addContact(init: PeerUserInit): Contact {
    return this.directory.register(new Contact(init, this));
  }

  /** A contact by phone digits, `+phone` or PN/LID jid. */
  contact(phoneOrJid: string): Contact | undefined {
    return this.directory.contact(phoneOrJid);
  }

  contacts(): Contact[] {
    return this.directory.allContacts();
  }

  failNextAck(code: string | number): void {
    this.acks.fail(1, code);
  }

  failAcks(count: number, code: string | number): void {
    this.acks.fail(count, code);
  }

  async sendMessage(
    from: PeerUser,
    to: string,
    message: proto.IMessage,
    options: SendOptions = {},
  ): Promise<SentMessage> {
    const account = this.host.world.account(to.replace(/^\+/, ''));
    if (!account) throw new Error(`no simulated account ${to}`);
    const id = options.id ?? newMessageId();
    const media = mediaOf(message);
    const mediaType = media ? encMediaType(media.kind, media.content) : undefined;
    if (media) this.media.recordSent(id, message);
    const sent: SentMessage = { id, deliveredTo: [], queuedFor: [], types: [] };
    const original: SentForRetry = { from, message, addressing: options.addressing ?? 'pn', mediaType };
    this.sentForRetry.set(id, original);
    if (this.sentForRetry.size > RETRY_MEMORY)
      this.sentForRetry.delete(this.sentForRetry.keys().next().value as string);
    for (const companion of account.companions.values()) {
      const { type, stanza } = await this.encryptFor(companion, id, original);
      sent.types.push(type);
      const written = await this.deliver(companion, stanza);
      (written ? sent.deliveredTo : sent.queuedFor).push(companion.jid);
    }
    return sent;
  }

  private async encryptFor(companion: Companion, id: string, original: SentForRetry) {
    const { from, message, addressing, mediaType } = original;
    const payload = await from
      .device(0)
      .encrypt(companion.lid, message, () => companionBundle(this.host.world, companion));
    const stanza = peerMessageStanza(from, payload, {
      id,
      addressing,
      at: Date.now(),
      ...(mediaType ? { mediaType } : {}),
    });
    return { type: payload.type, stanza };
  }

  /**
   * A client could not decrypt message `id` and asked its sender to send it again: the sender's
   * phone encrypts it anew, as WhatsApp's do. From the second retry on the client may have dropped
   * its session with the sender (Baileys recreates it), so the phone starts a new one from the
   * client's published keys. Unknown ids (a stanza a test forged) are not answered.
   */
  async answerRetry(companion: Companion, id: string, count: number): Promise<boolean> {
    const original = this.sentForRetry.get(id);
    if (!original) return false;
    if (count >= 2) original.from.device(0).forgetSession(companion.lid);
    const { stanza } = await this.encryptFor(companion, id, original);
    this.host.counters.retriesAnswered++;
    await this.deliver(companion, stanza);
    return true;
  }

  /** Encrypts and stores the file on the CDN, then sends the media message like {@link sendMessage}. */
  async sendMedia(
    from: PeerUser,
    to: string,
    media: PeerMediaInput,
    options: SendOptions = {},
  ): Promise<SentMessage> {
    return this.sendMessage(from, to, await this.media.prepare(media), options);
  }

  /** Receipts from `from` for messages it decrypted; ids are grouped per sending companion. */
  async receipt(from: PeerUser, ids: string | string[], type: ReceiptType = 'delivery'): Promise<number> {
    const wanted = new Set(Array.isArray(ids) ? ids : [ids]);
    const groups = new Map<string, { chat: string; ids: string[] }>();
    for (const entry of this.decrypted(from)) {
      if (!wanted.delete(entry.id)) continue;
      const group = groups.get(entry.sender) ?? { chat: entry.chat, ids: [] };
      group.ids.push(entry.id);
      groups.set(entry.sender, group);
    }
    if (wanted.size) throw new Error(`${from.phone} never received ${[...wanted].join(', ')}`);
    let sent = 0;
    for (const [sender, group] of groups) {
      const companion = this.host.world.companion(sender);
      if (!companion) continue;
      const decision = this.receipts.next();
      if (decision.action === 'drop') continue;
      await sleep(decision.delayMs);
      await this.deliver(companion, peerReceiptStanza(group.chat, group.ids, type));
      sent++;
    }
    return sent;
  }

  /** Copies `peer` decrypted (own-device copies included when `peer` is an account's phone). */
  decrypted(peer?: PeerUser): DecryptedMessage[] {
    return peer ? this.log.decrypted.filter((m) => m.recipientPhone === peer.phone) : [...this.log.decrypted];
  }

  /** Messages (copies other than own-device ones) each contact received, by phone digits. */
  receivedPerRecipient(): Map<string, number> {
    return this.log.receivedPerRecipient();
  }

  /** Copies that arrived more than once at the same device: must be empty for a correct gateway. */
  duplicates(): Array<{ recipient: string; id: string; count: number }> {
    return this.log.duplicates();
  }

  /** Receipts the client sent for messages peers delivered to it. */
  clientReceipts(): readonly ClientReceipt[] {
    return this.log.clientReceipts;
  }

  waitForMessage(
    match: (m: DecryptedMessage) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<DecryptedMessage> {
    return this.log.messageWaiters.wait(match, timeoutMs, 'a decrypted message');
  }

  waitForClientReceipt(
    match: (r: ClientReceipt) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<ClientReceipt> {
    return this.log.receiptWaiters.wait(match, timeoutMs, 'a client receipt');
  }

  /**
   * Writes to every live connection of the companion, or queues for its next login. True if
   * written; a message then waits for the companion's acknowledgement (see {@link OfflineQueue}).
   */
  async deliver(companion: Companion, node: BinaryNode): Promise<boolean> {
    const conns = this.host.connectionsOf(companion.jid);
    if (!conns.length) {
      this.offline.queue(companion.jid, node);
      return false;
    }
    this.offline.written(companion.jid, node);
    await Promise.all(conns.map((conn) => conn.send(node)));
    return true;
  }

  /** Flushes the offline queue of a companion that just came online. */
  async flushOffline(conn: SimConnection): Promise<void> {
    const jid = conn.companion?.jid;
    if (!jid) return;
    for (const node of this.offline.take(jid)) {
      this.offline.written(jid, node);
      await conn.send(node);
    }
  }

  /** A connection closed: if it was its companion's last, what it never acknowledged is queued again. */
  connectionClosed(conn: SimConnection): void {
    const jid = conn.companion?.jid;
    if (!jid || this.host.connectionsOf(jid).length > 0) return;
    this.host.counters.redeliveries += this.offline.connectionLost(jid);
  }

  async close(): Promise<void> {
    await this.pictures.close();
  }
}

/** A peer's message as its phone keeps it, to encrypt again on a retry receipt. */
interface SentForRetry {
  from: PeerUser;
  message: proto.IMessage;
  addressing: NonNullable<SendOptions['addressing']>;
  mediaType: string | undefined;
}

/** Messages a simulator remembers for retries (a phone keeps recent ones; tests send thousands). */
const RETRY_MEMORY = 20_000;

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
