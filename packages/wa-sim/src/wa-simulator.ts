import type { FaultController } from './faults/fault-controller.js';
import type { ScanOptions } from './flows/pairing.js';
import type { Counters } from './observe/counters.js';
import type { SimEventMap, SimEvents } from './observe/sim-events.js';
import type { Transcript, TranscriptEntry } from './observe/transcript.js';
import type { StanzaPredicate, WaitOptions } from './observe/wait-for.js';
import type { StanzaRouter } from './router/stanza-router.js';
import type { SimConnection } from './server/connection.js';
import type { Companion } from './world/types.js';
import type { World } from './world/world.js';

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
  /** Connections that have not closed yet. */
  connections(): SimConnection[];
  connection(id: number): SimConnection | undefined;
  /** Live, logged-in connections of one companion (device PN jid). */
  connectionsOf(companionJid: string): SimConnection[];
  /** The simulated phone scans a companion QR (see `ScanOptions`); resolves once paired. */
  scan(qr: string, options?: ScanOptions): Promise<Companion>;
  /** Pushes `<edge_routing>`; the client's next connection will start with the `ED` intro. */
  pushEdgeRouting(conn: SimConnection, routingInfo: Uint8Array): Promise<void>;
  /** Resolves with the first stanza (either direction) matching the predicate. */
  waitFor(predicate: StanzaPredicate, options?: WaitOptions): Promise<TranscriptEntry>;
  waitForEvent<K extends keyof SimEventMap>(
    event: K,
    predicate?: (...args: SimEventMap[K]) => boolean,
    options?: WaitOptions,
  ): Promise<SimEventMap[K]>;
  /** Terminates every connection and stops listening. */
  close(): Promise<void>;
}
