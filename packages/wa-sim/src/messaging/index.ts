import type { PeerMediaAccess } from '../media/media-tier.js';
import type { WaSimulator } from '../wa-simulator.js';
import { installClientHandlers } from './client-handlers.js';
import { Messaging, type MessagingHost } from './messaging.js';

export type { Contact, SendOptions, SentMessage } from './contact.js';
export type { DeliveryPolicy } from './delivery-policy.js';
export type { ClientReceipt, DecryptedMessage, DecryptFailure } from './message-log.js';
export type { AutoReceipts, Messaging } from './messaging.js';
export type { Addressing, ReceiptType } from './peer-stanzas.js';

/** What installing messaging needs from the simulator: its parts and a clean-up hook. */
export type MessagingInstallHost = MessagingHost & Pick<WaSimulator, 'addCloseHook'>;

/**
 * Installs the messaging part of the simulator (Signal peers, usync, key bundles, acks, receipts, inbound
 * messages, profile pictures) through `sim.router`, and returns its test-facing API (`sim.messaging`).
 */
export function installMessaging(sim: MessagingInstallHost, media: PeerMediaAccess): Messaging {
  const messaging = new Messaging(sim, media);
  installClientHandlers(sim, messaging);
  // The picture server is messaging's own loopback server; it must go down with the simulator.
  sim.addCloseHook(() => messaging.close());
  return messaging;
}

/** The messaging API of a simulator; the same as `sim.messaging` (kept for existing callers). */
export function messagingOf(sim: WaSimulator): Messaging {
  return sim.messaging;
}
