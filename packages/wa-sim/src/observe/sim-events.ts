import { EventEmitter } from 'node:events';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { SimConnection } from '../server/connection.js';
import type { Companion } from '../world/world-types.js';
import type { TranscriptEntry } from './transcript.js';

/** Events of a simulator, with their listener arguments. */
export interface SimEventMap {
  /** A WebSocket was accepted. */
  connection: [conn: SimConnection];
  /** Noise completed; `conn.kind` tells registration from login. */
  handshake: [conn: SimConnection];
  /** The client acknowledged `<pair-device>`: its QR is showing. */
  qr: [conn: SimConnection, refs: string[]];
  paired: [companion: Companion, conn: SimConnection];
  /** A registering client asked for a pairing code for `phone` (digits): `companion_hello`. */
  'pairing-code-requested': [conn: SimConnection, phone: string];
  /** A login was accepted and `<success>` sent. */
  login: [conn: SimConnection, companion: Companion];
  'login-failed': [conn: SimConnection, reason: string];
  /** The IQs gating Baileys' `connection: 'open'` were answered. */
  open: [conn: SimConnection];
  close: [conn: SimConnection, code: number];
  /** No frame arrived for `idleMs`; the server terminates the connection right after (`close` follows). */
  'idle-timeout': [conn: SimConnection, idleMs: number];
  /** `conn` logged in as a companion `old` was still logged in as; `old` gets 440 replaced. */
  replaced: [old: SimConnection, conn: SimConnection];
  'stanza-in': [entry: TranscriptEntry, conn: SimConnection];
  'stanza-out': [entry: TranscriptEntry, conn: SimConnection];
  'iq-unhandled': [conn: SimConnection, node: BinaryNode];
  'prekeys-uploaded': [companion: Companion, count: number];
  'companion-removed': [companion: Companion];
  /** A stanza handler threw; the simulator answered the IQ with a 500 error. */
  'handler-error': [conn: SimConnection, node: BinaryNode, error: unknown];
}

export class SimEvents extends EventEmitter<SimEventMap> {}
