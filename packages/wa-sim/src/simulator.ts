import { installFastXeddsaSign, installFastXeddsaVerify } from '@wagw/xeddsa';
import type { AuthenticationCreds, BinaryNode, KeyPair } from '@whiskeysockets/baileys';
import type { WebSocket } from 'ws';
import { FaultController } from './faults/fault-controller.js';
import { installDefaultIqs } from './flows/default-iqs.js';
import { dispatchNode } from './flows/dispatch.js';
import { handleLogin } from './flows/login.js';
import { forgetPairing, type ScanOptions, scanQr, startPairing } from './flows/pairing.js';
import { type EnterCodeOptions, PairingCodes } from './flows/pairing-code.js';
import { type ProvisionOptions, provisionCompanion } from './flows/provision.js';
import { type RemoveCompanionOptions, removeCompanion } from './flows/remove-companion.js';
import { type Groups, installGroups } from './groups/index.js';
import { HistorySync } from './history/history-sync.js';
import { type MediaOptions, MediaTier } from './media/media-tier.js';
import { installMessaging } from './messaging/index.js';
import type { Messaging } from './messaging/messaging.js';
import { Counters } from './observe/counters.js';
import { type SimEventMap, SimEvents } from './observe/sim-events.js';
import { Transcript, type TranscriptEntry } from './observe/transcript.js';
import { type StanzaPredicate, type WaitOptions, waitForEvent, waitForStanza } from './observe/wait-for.js';
import { SERVER_JID } from './router/iq-replies.js';
import { StanzaRouter } from './router/stanza-router.js';
import { createServerIdentity, type ServerIdentity } from './server/cert-chain.js';
import { type ConnectionHooks, type SendDecision, SimConnection } from './server/connection.js';
import { WsServer } from './server/ws-server.js';
import { generateSigningKeyPair } from './signal/signing-key.js';
import type { SimContext, SimulatorBehaviour } from './sim-context.js';
import type { WaSimulator } from './wa-simulator.js';
import { World } from './world/world.js';
import type { Companion } from './world/world-types.js';

export interface SimulatorOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default `127.0.0.1`. Keep it loopback: the simulator has no authentication. */
  host?: string;
  /**
   * Root key of the certificate chain. Default: one key per process, shared by all simulators,
   * because Baileys' trusted root is process-global and clients of two simulators may overlap.
   */
  rootKey?: KeyPair;
  behaviour?: Partial<SimulatorBehaviour>;
  /** Transcript entries kept (oldest dropped first). Default 50 000. */
  transcriptLimit?: number;
  /**
   * Terminate connections the server received no frame from for this long (ms), like WhatsApp
   * drops silent clients. Default off; change it at runtime with `sim.setIdleTimeout()`.
   */
  idleTimeoutMs?: number;
  /** The HTTPS media CDN and `media_conn` (see `media/media-tier.ts`); each field documents its default. */
  media?: MediaOptions;
}

let processRootKey: KeyPair | undefined;

const DEFAULT_BEHAVIOUR: SimulatorBehaviour = {
  qrRefs: 6,
  replaceOnDuplicateLogin: true,
  unknownIq: 'error',
};

/** Starts a simulator listening on loopback. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<WaSimulator> {
  // The signature checks of this process (the simulator's and those of any Baileys client it runs
  // beside) through OpenSSL, as the worker does: same answers, a 35th of the CPU (@wagw/xeddsa).
  installFastXeddsaVerify();
  // And the signatures made with keys the simulator or its test fixtures minted (signal/signing-key.ts).
  installFastXeddsaSign();
  const sim = new Simulator(options);
  await sim.listen();
  return sim;
}

class Simulator implements WaSimulator, ConnectionHooks {
  readonly world = new World();
  readonly router = new StanzaRouter();
  readonly counters = new Counters();
  readonly events = new SimEvents();
  readonly transcript: Transcript;
  readonly faults: FaultController;
  readonly messaging: Messaging;
  readonly groups: Groups;
  readonly media: MediaTier;
  readonly history: HistorySync;
  private readonly identity: ServerIdentity;
  private readonly server: WsServer;
  private readonly ctx: SimContext;
  private readonly pairingCodes: PairingCodes;
  private readonly live = new Map<number, SimConnection>();
  private nextConnectionId = 1;
  private idleMs: number | null;
  private readonly closeHooks: Array<() => void | Promise<void>> = [];
  private closing: Promise<void> | undefined;

  constructor(options: SimulatorOptions) {
    this.events.setMaxListeners(0);
    this.transcript = new Transcript(options.transcriptLimit);
    this.idleMs = validIdleTimeout(options.idleTimeoutMs ?? null);
    processRootKey ??= generateSigningKeyPair();
    this.identity = createServerIdentity(options.rootKey ?? processRootKey);
    this.server = new WsServer({
      ...(options.host ? { host: options.host } : {}),
      ...(options.port ? { port: options.port } : {}),
      onSocket: (ws) => this.accept(ws),
    });
    const server = this.server;
    const live = this.live;
    this.faults = new FaultController({
      stopListening: () => server.stopListening(),
      resumeListening: () => server.listen(),
      get outage() {
        return server.outage;
      },
      set outage(on: boolean) {
        server.outage = on;
      },
      get upgradeStatus() {
        return server.upgradeStatus;
      },
      set upgradeStatus(status: number | undefined) {
        server.upgradeStatus = status;
      },
      live: () => live.values(),
      resetPendingSockets: () => server.resetSockets(),
      removeCompanion: (jid) => {
        // The fault already told the connection; only the world changes here.
        removeCompanion(this.ctx, jid, { notify: false });
      },
    });
    this.ctx = {
      world: this.world,
      router: this.router,
      faults: this.faults,
      counters: this.counters,
      events: this.events,
      behaviour: { ...DEFAULT_BEHAVIOUR, ...options.behaviour },
      live: this.live,
      qrRefs: new Map(),
    };
    installDefaultIqs(this.ctx);
    this.pairingCodes = new PairingCodes(this.ctx);
    this.media = new MediaTier(options.media ?? {}, this.counters.media, this.router);
    this.messaging = installMessaging(this, this.media);
    this.history = new HistorySync(this);
    this.groups = installGroups(this, this.messaging);
  }

  get port(): number {
    return this.server.port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws/chat`;
  }

  get rootPublicKey(): Buffer {
    return Buffer.from(this.identity.rootKey.public);
  }

  async listen(): Promise<void> {
    await Promise.all([this.server.listen(), this.media.listen()]);
  }

  connections(): SimConnection[] {
    return [...this.live.values()];
  }

  connection(id: number): SimConnection | undefined {
    return this.live.get(id);
  }

  connectionsOf(companionJid: string): SimConnection[] {
    return this.connections().filter((conn) => conn.companion?.jid === companionJid);
  }

  get idleTimeoutMs(): number | null {
    return this.idleMs;
  }

  setIdleTimeout(ms: number | null): void {
    this.idleMs = validIdleTimeout(ms);
    for (const conn of this.live.values()) conn.setIdleTimeout(this.idleMs);
  }

  scan(qr: string, options?: ScanOptions): Promise<Companion> {
    return scanQr(this.ctx, qr, options);
  }

  enterPairingCode(phone: string, code: string, options?: EnterCodeOptions): Promise<Companion> {
    return this.pairingCodes.enter(phone, code, options);
  }

  provision(creds: AuthenticationCreds, options?: ProvisionOptions): Companion {
    return provisionCompanion(this.ctx, creds, options);
  }

  removeCompanion(jid: string, options?: RemoveCompanionOptions): Companion | undefined {
    return removeCompanion(this.ctx, jid, options);
  }

  pushEdgeRouting(conn: SimConnection, routingInfo: Uint8Array): Promise<void> {
    return conn.send({
      tag: 'ib',
      attrs: { from: SERVER_JID },
      content: [
        {
          tag: 'edge_routing',
          attrs: {},
          content: [{ tag: 'routing_info', attrs: {}, content: routingInfo }],
        },
      ],
    });
  }

  waitFor(predicate: StanzaPredicate, options?: WaitOptions): Promise<TranscriptEntry> {
    return waitForStanza(this.events, this.transcript, (id) => this.live.get(id), predicate, options);
  }

  waitForEvent<K extends keyof SimEventMap>(
    event: K,
    predicate?: (...args: SimEventMap[K]) => boolean,
    options?: WaitOptions,
  ): Promise<SimEventMap[K]> {
    return waitForEvent(this.events, event, predicate, options);
  }

  addCloseHook(hook: () => void | Promise<void>): void {
    this.closeHooks.push(hook);
  }

  /** Idempotent: a second call waits for the first. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const hook of this.closeHooks.splice(0)) await hook();
      await this.server.close();
      await this.media.close();
    })();
    return this.closing;
  }

  // ---- ConnectionHooks -----------------------------------------------------------------------

  onHello(conn: SimConnection): boolean {
    return !this.faults.fire('hello', conn);
  }

  onHandshake(conn: SimConnection): void {
    this.counters.handshakes++;
    this.faults.configure(conn);
    this.events.emit('handshake', conn);
    if (this.faults.fire('handshake', conn)) return;
    if (conn.kind === 'registration') {
      this.counters.registrations++;
      void startPairing(this.ctx, conn);
    } else {
      handleLogin(this.ctx, conn);
    }
  }

  onNode(conn: SimConnection, node: BinaryNode): Promise<void> {
    return dispatchNode(this.ctx, conn, node);
  }

  outgoing(conn: SimConnection, node: BinaryNode): SendDecision {
    return this.faults.decideOutgoing(conn, node);
  }

  record(entry: TranscriptEntry): void {
    this.transcript.add(entry);
    const conn = this.live.get(entry.connectionId);
    if (!conn) return;
    this.events.emit(entry.direction === 'in' ? 'stanza-in' : 'stanza-out', entry, conn);
  }

  onIdle(conn: SimConnection, idleMs: number): void {
    this.counters.idleDrops++;
    this.events.emit('idle-timeout', conn, idleMs);
    conn.terminate();
  }

  onClose(conn: SimConnection, code: number): void {
    this.live.delete(conn.id);
    this.counters.connectionClosed(conn.id);
    if (conn.companion) this.counters.companionLoggedOut(conn.companion.jid);
    forgetPairing(this.ctx, conn);
    this.events.emit('close', conn, code);
  }

  private accept(ws: WebSocket): void {
    const conn = new SimConnection(this.nextConnectionId++, ws, this.identity, this);
    this.live.set(conn.id, conn);
    this.counters.connectionOpened(conn.id);
    conn.setIdleTimeout(this.idleMs);
    this.events.emit('connection', conn);
  }
}

function validIdleTimeout(ms: number | null): number | null {
  if (ms !== null && !(Number.isFinite(ms) && ms > 0)) {
    throw new Error(`idle timeout must be > 0 ms, got ${ms}`);
  }
  return ms;
}
