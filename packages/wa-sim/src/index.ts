export type { SimulatorEndpoint } from './client/trust-simulator.js';
export { DEVICE_REMOVED_FAULT, FAULT_CATALOG, type FaultCatalogEntry } from './faults/fault-catalog.js';
export type { FaultController, IqOverride } from './faults/fault-controller.js';
export type {
  DisconnectFault,
  FaultHandle,
  FaultTarget,
  FaultTrigger,
  InjectOptions,
  OutgoingAction,
  RuleOptions,
} from './faults/fault-types.js';
export type { ScanOptions } from './flows/pairing.js';
export type { EnterCodeOptions } from './flows/pairing-code.js';
export type { PreKeyUpload } from './flows/prekey-upload.js';
export type { ProvisionOptions } from './flows/provision.js';
export type { PairingQr } from './flows/qr.js';
export type { RemoveCompanionOptions } from './flows/remove-companion.js';
export type {
  Group,
  GroupDelivery,
  GroupNotificationRecord,
  GroupParticipant,
  GroupRetryRecord,
  GroupRole,
  GroupSent,
  Groups,
  GroupUser,
  ParticipantAction,
  ParticipantResult,
  PeerGroupSendOptions,
  UserRef,
} from './groups/index.js';
export type { HistorySyncRecord, SimHistory } from './history/history-sync.js';
export type { AccountHistory, HistoryChat, HistoryMessage } from './history/history-types.js';
export type { CdnFaults } from './media/cdn-faults.js';
export type { MediaKind } from './media/media-kinds.js';
export type { StoredBlob } from './media/media-store.js';
export type { MediaOptions, SimMedia } from './media/media-tier.js';
export type { PeerMediaInput, ReceivedMedia } from './media/peer-media.js';
export { createTestCa, type TestCa } from './media/test-ca.js';
export type {
  Addressing,
  AutoReceipts,
  ClientReceipt,
  Contact,
  DecryptedMessage,
  DecryptFailure,
  DeliveryPolicy,
  Messaging,
  ReceiptType,
  SendOptions,
  SentMessage,
} from './messaging/index.js';
export type { ConcurrencyCount, Counters, MediaCounters, UsyncCounters } from './observe/counters.js';
export type { SimEventMap, SimEvents } from './observe/sim-events.js';
export type { Direction, Transcript, TranscriptEntry } from './observe/transcript.js';
export type { StanzaPredicate, WaitOptions } from './observe/wait-for.js';
export { child, iqResult } from './router/iq-replies.js';
export type { HandlerResult, StanzaHandler, StanzaRouter } from './router/stanza-router.js';
export type { ConnectionPhase, SimConnection } from './server/connection.js';
export { initSigningAuthCreds } from './signal/signing-key.js';
export type { SimulatorBehaviour } from './sim-context.js';
export { type SimulatorOptions, startSimulator } from './simulator.js';
export {
  createMemoryAuthState,
  type MemoryAuthOptions,
  snapshotMemoryAuthState,
} from './testing/memory-auth-state.js';
export { type PairedClient, pairTestClient } from './testing/pair-test-client.js';
export {
  type ClosedInfo,
  createTestClient,
  type TestClient,
  type TestClientOptions,
  type TestSocket,
} from './testing/test-client.js';
export type { WaSimulator } from './wa-simulator.js';
export type { CreateAccountOptions, World } from './world/world.js';
export type { Account, Companion, OneTimePreKey, PrimaryDevice, SignedPreKey } from './world/world-types.js';
