import { type BinaryNode, proto } from '@whiskeysockets/baileys';
import { companionBundle } from '../messaging/peer-directory.js';
import { newMessageId } from '../messaging/peer-stanzas.js';
import type { WaSimulator } from '../wa-simulator.js';
import type { Companion } from '../world/world-types.js';
import { installAppStateIq } from './app-state-iq.js';
import { historyChunks, uploadChunk } from './history-blob.js';
import type { AccountHistory } from './history-types.js';

/** The parts of the simulator history sync uses. */
export type HistoryHost = Pick<WaSimulator, 'world' | 'router' | 'events' | 'counters' | 'messaging'>;

/** What a companion was sent: one notification per chunk, in order. */
export interface HistorySyncRecord {
  companionJid: string;
  messageIds: string[];
  notifications: proto.Message.IHistorySyncNotification[];
}

/** History sync as a test sees it (`sim.history`). */
export interface SimHistory {
  set(phone: string, history: AccountHistory): void;
  sent(): readonly HistorySyncRecord[];
}

/**
 * History sync on a companion's first login: the account's phone uploads its history (chats with
 * names, unread counts and recent messages both ways; push names) to the CDN and sends the companion
 * a `historySyncNotification` protocol message per chunk, Signal-encrypted from the phone (device 0)
 * as a `category="peer"` message, which Baileys downloads, decrypts, inflates and emits as
 * `messaging-history.set`. Only accounts given a history (`set`) send one; each companion gets it
 * once, on the first connection that reaches `open` (queued if it went away meanwhile).
 */
export class HistorySync implements SimHistory {
  private readonly histories = new Map<string, AccountHistory>();
  private readonly done = new Set<string>();
  private readonly records: HistorySyncRecord[] = [];

  constructor(private readonly host: HistoryHost) {
    installAppStateIq(host.router);
    host.events.on('open', (conn) => {
      const companion = conn.companion;
      if (!companion || this.done.has(companion.jid) || !this.histories.has(companion.account.phone)) return;
      this.done.add(companion.jid);
      // Reported like a failing stanza handler: a test waiting for the history then sees why.
      this.send(companion).catch((error) =>
        host.events.emit('handler-error', conn, { tag: 'history-sync', attrs: { to: companion.jid } }, error),
      );
    });
  }

  set(phone: string, history: AccountHistory): void {
    this.histories.set(phone.replace(/\D/g, ''), history);
  }

  sent(): readonly HistorySyncRecord[] {
    return this.records;
  }

  private async send(companion: Companion): Promise<void> {
    const history = this.histories.get(companion.account.phone);
    if (!history) return;
    const { messaging, counters } = this.host;
    const phone = messaging.directory.ownPhone(companion.account);
    const record: HistorySyncRecord = { companionJid: companion.jid, messageIds: [], notifications: [] };
    this.records.push(record);
    for (const chunk of historyChunks(history, (jid) => messaging.directory.usyncEntry(jid))) {
      const notification = await uploadChunk(messaging.media, chunk);
      const payload = await phone.device(0).encrypt(
        companion.lid,
        {
          protocolMessage: {
            type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
            historySyncNotification: notification,
          },
        },
        () => companionBundle(this.host.world, companion),
      );
      const id = newMessageId();
      // From the account's own phone, without `recipient`: Baileys takes it as fromMe in the
      // self chat, the only origin it accepts a history notification from.
      const stanza: BinaryNode = {
        tag: 'message',
        attrs: {
          from: companion.account.pnJid,
          id,
          t: String(Math.floor(Date.now() / 1000)),
          type: 'text',
          category: 'peer',
          push_priority: 'high_force',
        },
        content: [{ tag: 'enc', attrs: { v: '2', type: payload.type }, content: payload.ciphertext }],
      };
      record.messageIds.push(id);
      record.notifications.push(notification);
      counters.historySyncs++;
      await messaging.deliver(companion, stanza);
    }
  }
}
