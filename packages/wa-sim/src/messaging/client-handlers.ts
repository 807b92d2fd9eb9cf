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
  router.onStanza('receipt', (conn, node) => {
    const ids = [node.attrs.id, ...children(child(node, 'list'), 'item').map((item) => item.attrs.id)];
    log.addClientReceipt({
      ids: ids.filter((id): id is string => !!id),
      to: node.attrs.to ?? '',
      type: node.attrs.type,
      connectionId: conn.id,
      at: Date.now(),
    });
  });
  router.onStanza('ack', (_conn, node) => {
    if (node.attrs.class === 'receipt') log.receiptAcks++;
  });
  // Stanzas peers sent while a companion was offline are written once it is logged in again.
  host.events.on('open', (conn) => {
    void messaging.flushOffline(conn);
  });
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
