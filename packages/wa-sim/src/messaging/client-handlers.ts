import type { BinaryNode } from '@whiskeysockets/baileys';
import { child, children, iqError, iqResult } from '../router/iq-replies.js';
import type { SimConnection } from '../server/connection.js';
import { buildKeyBundleAnswer, buildUsyncAnswer, countUsync } from '../signal/index.js';
import { decryptClientMessage } from './client-message.js';
import type { Messaging, MessagingHost } from './messaging.js';
import { messageAck } from './peer-stanzas.js';

/** Registers the IQ handlers and stanza hooks through which clients message simulated peers. */
export function installClientHandlers(host: MessagingHost, messaging: Messaging): void {
  const { router } = host;
  const { directory, log } = messaging;

  router.on('usync/get/usync', (_conn, iq) => {
    countUsync(host.counters.usync, iq);
    return iqResult(iq, [buildUsyncAnswer(iq, (jid) => directory.usyncEntry(jid))]);
  });
  router.on('encrypt/get/key', (_conn, iq) =>
    iqResult(iq, [buildKeyBundleAnswer(iq, (jid) => directory.claimBundle(jid))]),
  );
  router.on('w:profile:picture/get/picture', async (_conn, iq) => {
    const target = iq.attrs.target ?? '';
    const known = directory.usyncEntry(target);
    if (!known) return iqError(iq, 404, 'item-not-found');
    const user = known.pn.split('@')[0] ?? '';
    const url = await messaging.pictures.urlFor(user);
    const type = child(iq, 'picture')?.attrs.type ?? 'preview';
    return iqResult(iq, [
      { tag: 'picture', attrs: { id: '1', type, url, direct_path: new URL(url).pathname } },
    ]);
  });

  router.onStanza('message', (conn, node) => onClientMessage(messaging, conn, node));
  router.onStanza('receipt', async (conn, node) => {
    const ids = [node.attrs.id, ...children(child(node, 'list'), 'item').map((item) => item.attrs.id)].filter(
      (id): id is string => !!id,
    );
    log.addClientReceipt({
      ids,
      to: node.attrs.to ?? '',
      type: node.attrs.type,
      connectionId: conn.id,
      at: Date.now(),
    });
    // Any receipt, a retry request too, tells the server the device has the stanza.
    if (!conn.companion || !messaging.offline.acknowledged(conn.companion.jid, ids)) return;
    const retry = child(node, 'retry');
    if (node.attrs.type === 'retry' && node.attrs.id && !node.attrs.participant) {
      await messaging.answerRetry(conn.companion, node.attrs.id, Number(retry?.attrs.count ?? 1));
    }
  });
  router.onStanza('ack', (conn, node) => {
    if (node.attrs.class === 'receipt') log.receiptAcks++;
    // A message the client could not use (a nack with an error) is acknowledged all the same.
    if (node.attrs.class === 'message' && node.attrs.id && conn.companion) {
      messaging.offline.acknowledged(conn.companion.jid, [node.attrs.id]);
    }
  });
  // Stanzas peers sent while a companion was offline are written once it is logged in again, and
  // what it never acknowledged before its connection closed is among them.
  host.events.on('open', (conn) => {
    void messaging.flushOffline(conn);
  });
  host.events.on('close', (conn) => messaging.connectionClosed(conn));
}

async function onClientMessage(messaging: Messaging, conn: SimConnection, node: BinaryNode): Promise<void> {
  const sender = conn.companion;
  // Group messages (sender keys, fan-out to members) are the groups module's (groups/group-relay.ts).
  if (!sender || node.attrs.to?.endsWith('@g.us')) return;
  const copies = await decryptClientMessage(
    sender,
    node,
    messaging.directory,
    messaging.log,
    messaging.media,
  );
  const decision = messaging.acks.next();
  if (decision.action === 'drop') return;
  const ack = messageAck(node, decision.error);
  // A delayed ack must not hold up the connection's inbound queue, so it is scheduled, not awaited.
  if (decision.delayMs > 0) conn.later(decision.delayMs, () => void conn.send(ack));
  else await conn.send(ack);
  if (decision.error !== undefined || messaging.autoReceipts === 'off') return;
  const id = node.attrs.id ?? '';
  const recipients = new Set(copies.filter((c) => !c.ownDevice).map((c) => c.recipientPhone));
  for (const phone of recipients) {
    const contact = messaging.contact(phone);
    if (contact) void autoReceipt(messaging, contact, id);
  }
}

async function autoReceipt(messaging: Messaging, contact: Parameters<Messaging['receipt']>[0], id: string) {
  const read = messaging.autoReceipts === 'read';
  try {
    await messaging.receipt(contact, id, 'delivery');
    if (read) await messaging.receipt(contact, id, 'read');
  } catch {
    // The connection may have closed meanwhile; a lost automatic receipt is what a real network does too.
  }
}
