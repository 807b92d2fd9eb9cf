import { type BinaryNode, decodeBinaryNode, encodeBinaryNode, proto } from '@whiskeysockets/baileys';
import type { WebSocket } from 'ws';
import type { TranscriptEntry } from '../observe/transcript.js';
import type { Companion } from '../world/world-types.js';
import type { ServerIdentity } from './cert-chain.js';
import { encodeFrame, FrameReader, type Intro } from './frame-reader.js';
import { NoiseServerHandshake } from './noise-server.js';
import type { NoiseTransport } from './noise-transport.js';

export type ConnectionPhase = 'hello' | 'finish' | 'transport' | 'closed';

/** What the send path does with one outgoing stanza (decided by the fault filters). */
export type SendDecision = { action: 'send' } | { action: 'drop' } | { action: 'delay'; ms: number };

/** Wiring from a connection up to the simulator; keeps this file free of policy. */
export interface ConnectionHooks {
  /** Return false to leave the clientHello unanswered. */
  onHello(conn: SimConnection): boolean;
  /** Noise finished: `clientStatic` and `clientPayload` are set. */
  onHandshake(conn: SimConnection): void;
  onNode(conn: SimConnection, node: BinaryNode): Promise<void>;
  outgoing(conn: SimConnection, node: BinaryNode): SendDecision;
  record(entry: TranscriptEntry): void;
  onClose(conn: SimConnection, code: number): void;
  /** No frame arrived for the idle timeout; the hook decides what to do (the simulator terminates). */
  onIdle(conn: SimConnection, idleMs: number): void;
}

interface PendingQuery {
  resolve(node: BinaryNode): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** One client WebSocket: framing, Noise, node encoding, ordered writes and server-initiated IQs. */
export class SimConnection {
  phase: ConnectionPhase = 'hello';
  intro: Intro | undefined;
  clientStatic: Buffer | undefined;
  clientPayload: proto.ClientPayload | undefined;
  /** Set at handshake from the payload: `devicePairingData` means registration. */
  kind: 'registration' | 'login' | undefined;
  /** Set once a login was validated. */
  companion: Companion | undefined;
  /** When set, inbound stanzas are ignored and nothing is written (the "silent server" fault). */
  silent = false;
  /** Latency added to every outgoing frame, order preserved. */
  slowMs = 0;
  /** Scratch space for extension modules (e.g. messaging), keyed by module name. */
  readonly state = new Map<string, unknown>();
  readonly openedAt = Date.now();
  /** When the last frame (data or WebSocket ping) arrived from the client. */
  lastFrameAt = Date.now();
  private readonly reader = new FrameReader();
  private readonly handshake: NoiseServerHandshake;
  private transport: NoiseTransport | undefined;
  private readonly pending = new Map<string, PendingQuery>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private inbound: Promise<void> = Promise.resolve();
  private writes: Promise<void> = Promise.resolve();
  private lastDue = 0;
  private idCounter = 0;
  private idle: { ms: number; timer: NodeJS.Timeout } | undefined;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    identity: ServerIdentity,
    private readonly hooks: ConnectionHooks,
  ) {
    this.handshake = new NoiseServerHandshake(identity.staticKey, identity.certChain);
    ws.on('message', (data: Buffer) => this.onData(data));
    ws.on('ping', () => this.touch());
    ws.on('error', () => undefined);
    ws.on('close', (code) => this.onClosed(code));
  }

  get routingInfo(): Buffer | undefined {
    return this.intro?.routingInfo;
  }

  get isOpen(): boolean {
    return this.phase !== 'closed';
  }

  /** A fresh stanza id for server-initiated stanzas. */
  nextId(): string {
    return `sim.${this.id}.${++this.idCounter}`;
  }

  /** Sends a node through the fault filters; resolves once written, dropped or the socket closed. */
  send(node: BinaryNode): Promise<void> {
    if (!this.transport || this.phase === 'closed') return Promise.resolve();
    if (this.silent) return Promise.resolve(this.record('out', node, true));
    const decision = this.hooks.outgoing(this, node);
    if (decision.action === 'drop') return Promise.resolve(this.record('out', node, true));
    if (decision.action === 'delay') {
      return this.sleep(decision.ms).then(() => this.enqueue(node));
    }
    return this.enqueue(node);
  }

  /** Sends a server IQ and resolves with the client's `result`/`error` reply. */
  query(node: BinaryNode, timeoutMs = 10_000): Promise<BinaryNode> {
    const id = node.attrs.id ?? this.nextId();
    const iq = { ...node, attrs: { ...node.attrs, id } };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to server iq ${id}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      void this.send(iq);
    });
  }

  /**
   * Abrupt end: the TCP socket is destroyed without a close frame. The connection counts as
   * closed at once (not when the socket's close event comes), so a login racing the drop never
   * sees two live connections of one companion.
   */
  terminate(): void {
    this.ws.terminate();
    this.onClosed(1006);
  }

  /**
   * Calls `hooks.onIdle` once no frame arrived for `ms`, counted from the later of the last frame
   * and this call (so lowering it at runtime never drops a connection retroactively). `null`
   * disables it.
   */
  setIdleTimeout(ms: number | null): void {
    if (this.idle) clearTimeout(this.idle.timer);
    this.idle = undefined;
    if (ms === null || this.phase === 'closed') return;
    const timer = setTimeout(() => {
      this.idle = undefined;
      if (this.phase !== 'closed') this.hooks.onIdle(this, ms);
    }, ms);
    this.idle = { ms, timer };
  }

  get idleTimeoutMs(): number | null {
    return this.idle?.ms ?? null;
  }

  /** Clean WebSocket close frame. */
  close(code = 1000): void {
    this.ws.close(code);
  }

  /** Closes the socket after `ms` unless the client already did (used after stream errors). */
  closeAfter(ms: number): void {
    this.later(ms, () => this.close());
  }

  /** Runs `fn` after `ms` unless the connection closes first; never keeps a test process alive. */
  later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.phase !== 'closed') fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Resolves after `ms`, or at once when the connection closes, so no caller waits forever. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.timers.add(timer);
      this.sleepers.add(wake);
    });
  }

  private enqueue(node: BinaryNode): Promise<void> {
    const due = Math.max(Date.now() + this.slowMs, this.lastDue);
    this.lastDue = due;
    this.writes = this.writes.then(async () => {
      const wait = due - Date.now();
      if (wait > 0) await this.sleep(wait);
      this.write(node);
    });
    return this.writes;
  }

  private write(node: BinaryNode): void {
    if (!this.transport || this.phase === 'closed') return;
    this.ws.send(encodeFrame(this.transport.encrypt(encodeBinaryNode(node))));
    this.record('out', node);
  }

  private record(direction: 'in' | 'out', node: BinaryNode, dropped = false): void {
    const entry: TranscriptEntry = { connectionId: this.id, direction, node, at: Date.now() };
    if (dropped) entry.dropped = true;
    this.hooks.record(entry);
  }

  private touch(): void {
    this.lastFrameAt = Date.now();
    // refresh() restarts the same timer: cheaper than a new one per frame.
    this.idle?.timer.refresh();
  }

  private onData(data: Buffer): void {
    this.touch();
    try {
      const { intro, frames } = this.reader.push(data);
      if (intro) this.intro = intro;
      for (const frame of frames) this.onFrame(frame);
    } catch {
      // Garbage on the wire (bad intro, failed AEAD tag): a real server just drops the connection.
      this.terminate();
    }
  }

  private onFrame(frame: Buffer): void {
    if (this.phase === 'hello') {
      const ephemeral = proto.HandshakeMessage.decode(frame).clientHello?.ephemeral;
      if (!ephemeral || !this.intro) throw new Error('expected clientHello');
      this.phase = 'finish';
      if (!this.hooks.onHello(this)) return;
      this.ws.send(encodeFrame(this.handshake.respondToHello(this.intro.header, ephemeral)));
    } else if (this.phase === 'finish') {
      const finish = proto.HandshakeMessage.decode(frame).clientFinish;
      if (!finish?.static || !finish.payload) throw new Error('expected clientFinish');
      const result = this.handshake.finish(finish.static, finish.payload);
      this.clientStatic = result.clientStatic;
      this.clientPayload = result.clientPayload;
      this.kind = result.clientPayload.devicePairingData ? 'registration' : 'login';
      this.transport = result.transport;
      this.phase = 'transport';
      this.hooks.onHandshake(this);
    } else if (this.transport) {
      // Decrypt now (the nonce counter demands order), decode and dispatch one node at a time.
      const plaintext = this.transport.decrypt(frame);
      this.inbound = this.inbound.then(async () => {
        if (this.phase === 'closed') return;
        const node = await decodeBinaryNode(plaintext);
        this.record('in', node);
        if (this.silent) return;
        if (this.resolvePending(node)) return;
        await this.hooks.onNode(this, node);
      });
      this.inbound = this.inbound.catch(() => undefined);
    }
  }

  private resolvePending(node: BinaryNode): boolean {
    const id = node.attrs.id;
    const pending = node.tag === 'iq' && id ? this.pending.get(id) : undefined;
    if (!pending || !id) return false;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(node);
    return true;
  }

  private onClosed(code: number): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.setIdleTimeout(null);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of [...this.sleepers]) wake();
    for (const [, query] of this.pending) {
      clearTimeout(query.timer);
      query.reject(new Error('connection closed'));
    }
    this.pending.clear();
    this.hooks.onClose(this, code);
  }
}
