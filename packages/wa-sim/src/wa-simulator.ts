import type { AuthenticationCreds } from '@whiskeysockets/baileys';
import type { FaultController } from './faults/fault-controller.js';
import type { ScanOptions } from './flows/pairing.js';
import type { EnterCodeOptions } from './flows/pairing-code.js';
import type { ProvisionOptions } from './flows/provision.js';
import type { RemoveCompanionOptions } from './flows/remove-companion.js';
import type { Groups } from './groups/index.js';
import type { SimHistory } from './history/history-sync.js';
import type { SimMedia } from './media/media-tier.js';
import type { Messaging } from './messaging/messaging.js';
import type { Counters } from './observe/counters.js';
import type { SimEventMap, SimEvents } from './observe/sim-events.js';
import type { Transcript, TranscriptEntry } from './observe/transcript.js';
import type { StanzaPredicate, WaitOptions } from './observe/wait-for.js';
import type { StanzaRouter } from './router/stanza-router.js';
import type { SimConnection } from './server/connection.js';
import type { World } from './world/world.js';
import type { Companion } from './world/world-types.js';

/**
 * A running simulator. Its own interface (not the class) so extension modules such as
 * `messaging/` can depend on it without an import cycle.
 */
export interface WaSimulator {
  /** `ws://127.0.0.1:PORT/ws/chat`, for Baileys' `waWebSocketUrl`. */
  readonly url: string;
  readonly port: number;
  /** 32-byte root public key the client must trust (`WA_CERT_DETAILS.PUBLIC_KEY`). */
  readonly rootPublicKey: Buffer;
  readonly world: World;
  /** Extension API: IQ handlers by key, stanza hooks by tag (see router/stanza-router.ts). */
  readonly router: StanzaRouter;
  readonly faults: FaultController;
  readonly counters: Counters;
  readonly events: SimEvents;
  readonly transcript: Transcript;
  /** Signal contacts, inbound messages, receipts, ack policies (see `messaging/messaging.ts`). */
  readonly messaging: Messaging;
  /** Groups: the `w:g2` IQs, `w:gp2` notifications, sender-key group messages both ways (see `groups/`). */
  readonly groups: Groups;
  /**
   * The HTTPS media CDN (`origin`, `caFile`) that `media_conn` points clients to; peers fetch and verify
   * what sessions send from it and store what they send (see `media/media-tier.ts`).
   */
  readonly media: SimMedia;
  /** Accounts' chat history, sent to each new companion on its first login (see `history/history-sync.ts`). */
  readonly history: SimHistory;
  /** Current server-side idle timeout (ms), or null when off. */
  readonly idleTimeoutMs: number | null;
  /**
   * The server terminates (TCP teardown, no close frame) any connection it received no frame
   * from for `ms`, as WhatsApp drops silent clients: counted in `counters.idleDrops`, announced
   * by `idle-timeout`. Applies to live connections (counted from the later of their last frame
   * and this call) and future ones. `null` switches it off.
   */
  setIdleTimeout(ms: number | null): void;
  /** Connections that have not closed yet. */
  connections(): SimConnection[];
  connection(id: number): SimConnection | undefined;
  /** Live, logged-in connections of one companion (device PN jid). */
  connectionsOf(companionJid: string): SimConnection[];
  /**
   * The simulated phone scans a companion QR, as Baileys emits it (`connection.update.qr`, with
   * or without the `https://wa.me/settings/linked_devices#` prefix; any of the connection's refs
   * works while it stays open). Resolves with the new companion (`.account` is its account) once
   * `<pair-success>` was signed; the client then gets 515 and logs in again by itself.
   */
  scan(qr: string, options?: ScanOptions): Promise<Companion>;
  /**
   * The simulated phone of `phone` types the pairing code a companion showed (Baileys'
   * `requestPairingCode(phone)`), waiting up to `timeoutMs` for that request to arrive. Resolves
   * with the new companion once `<pair-success>` was signed (the client then gets 515 and logs in);
   * rejects with "Couldn't link device" for a wrong code, which leaves the request open for another try.
   */
  enterPairingCode(phone: string, code: string, options?: EnterCodeOptions): Promise<Companion>;
  /**
   * Links a companion to Baileys `creds` without a connection or a QR: what a scan does, with
   * `creds` updated in place as Baileys' own pairing code updates them (flows/provision.ts). The
   * creds then log in like any paired client's. For tests and benchmarks that need many sessions.
   */
  provision(creds: AuthenticationCreds, options?: ProvisionOptions): Companion;
  /**
   * The phone unlinks a device: the companion is deleted from the world (its creds get 401 at the
   * next login), `companion-removed` is emitted and, unless `notify: false`, its live connections
   * get `device_removed` (Baileys: 401). Returns the companion, or undefined if unknown.
   */
  removeCompanion(jid: string, options?: RemoveCompanionOptions): Companion | undefined;
  /** Pushes `<edge_routing>`; the client's next connection will start with the `ED` intro. */
  pushEdgeRouting(conn: SimConnection, routingInfo: Uint8Array): Promise<void>;
  /** Resolves with the first stanza (either direction) matching the predicate. */
  waitFor(predicate: StanzaPredicate, options?: WaitOptions): Promise<TranscriptEntry>;
  waitForEvent<K extends keyof SimEventMap>(
    event: K,
    predicate?: (...args: SimEventMap[K]) => boolean,
    options?: WaitOptions,
  ): Promise<SimEventMap[K]>;
  /** Runs `hook` when the simulator closes, before its port closes (extension modules' clean-up). */
  addCloseHook(hook: () => void | Promise<void>): void;
  /** Runs the close hooks, terminates every connection, stops listening and deletes the media tier's files. */
  close(): Promise<void>;
}
