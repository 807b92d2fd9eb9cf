import type { BinaryNode } from '@whiskeysockets/baileys';
import type { SimConnection } from '../server/connection.js';

/** Ways the server can end (or stall) a connection; see the catalog for the status each yields. */
export type DisconnectFault =
  /** `<stream:error code=…>child</stream:error>`; code is used verbatim by Baileys, else the child's tag decides. */
  | { kind: 'stream-error'; code?: string; child?: BinaryNode }
  /** `<failure reason=…/>`; the reason becomes the status. */
  | { kind: 'failure'; reason: string }
  | { kind: 'xmlstreamend' }
  /** TCP teardown without a close frame. */
  | { kind: 'terminate' }
  /** Clean WebSocket close frame. */
  | { kind: 'close'; code?: number }
  /** Stop answering and writing anything; at `hello` this means the handshake never completes. */
  | { kind: 'silent' };

/**
 * When an armed fault fires:
 * - `now`: immediately, on every live matching connection that finished the handshake;
 * - `hello`: instead of answering a clientHello (only untargeted or connection-id rules can match);
 * - `handshake`: right after Noise completes, before `<success>` or `<pair-device>`;
 * - `qr`: once the client acknowledged `<pair-device>` (the QR is on screen);
 * - `open`: once the last IQ gating Baileys' `connection: 'open'` was answered;
 * - `{ stanza }`: instead of handling the next client stanza the predicate accepts.
 */
export type FaultTrigger =
  | 'now'
  | 'hello'
  | 'handshake'
  | 'qr'
  | 'open'
  | { stanza: (node: BinaryNode, conn: SimConnection) => boolean };

/** Which connections a rule applies to; every given field must match. Empty = any connection. */
export interface FaultTarget {
  connectionId?: number;
  /** Account phone digits; matches logins of any of its companions. */
  phone?: string;
  /** Companion device jid, e.g. `15550001111:1@s.whatsapp.net`. */
  companionJid?: string;
}

export interface RuleOptions {
  target?: FaultTarget;
  /** How many times the rule fires before it disarms. Default 1; `Infinity` keeps it armed. */
  times?: number;
}

export interface InjectOptions extends RuleOptions {
  /** Default `'now'`. */
  at?: FaultTrigger;
  /**
   * Also delete the companion each hit connection is logged in as (or claims in its login
   * payload) from the world, as WhatsApp does with a removed device: its creds then get 401 at
   * the next login. Meant for `DEVICE_REMOVED_FAULT`. Default false.
   */
  removeCompanion?: boolean;
}

export interface FaultHandle {
  /** Disarms the rule (no-op if it already fired its last time). */
  cancel(): void;
  /** Connections a `now` fault was applied to (0 for armed rules). */
  applied: number;
}

/** Outgoing-stanza filter action: swallow it, or hold it back without blocking later stanzas. */
export type OutgoingAction = 'drop' | { delayMs: number };
