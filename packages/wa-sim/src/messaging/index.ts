import type { WaSimulator } from '../wa-simulator.js';
import { installClientHandlers } from './client-handlers.js';
import { Messaging } from './messaging.js';

export type { Contact, SendOptions, SentMessage } from './contact.js';
export type { DeliveryDecision, DeliveryPolicy } from './delivery-policy.js';
export type { ClientReceipt, DecryptedMessage, DecryptFailure } from './message-log.js';
export type { AutoReceipts, Messaging, MessagingHost } from './messaging.js';
export type { Addressing, ReceiptType } from './peer-stanzas.js';

const installed = new WeakMap<object, Messaging>();

/**
 * Installs the messaging part of the simulator (Signal peers, usync, key bundles, acks, receipts, inbound
 * messages, profile pictures) through `sim.router`, and returns its test-facing API.
 */
export function installMessaging(sim: WaSimulator): Messaging {
  const messaging = new Messaging(sim);
  installClientHandlers(sim, messaging);
  installed.set(sim, messaging);
  // The picture server is messaging's own loopback server; it must go down with the simulator.
  const closeSimulator = sim.close.bind(sim);
  sim.close = async () => {
    await messaging.close();
    await closeSimulator();
  };
  return messaging;
}

/** The messaging API of a simulator started with `startSimulator()`. */
export function messagingOf(sim: WaSimulator): Messaging {
  const messaging = installed.get(sim);
  if (!messaging) throw new Error('this simulator has no messaging installed');
  return messaging;
}
