import type { BinaryNode } from '@whiskeysockets/baileys';
import { iqError } from '../router/iq-replies.js';
import type { StanzaHandler } from '../router/stanza-router.js';
import type { SendDecision, SimConnection } from '../server/connection.js';
import { applyFault } from './apply-fault.js';
import { addRule, claimedJid, matchesTarget, type Rule, takeRule } from './fault-target.js';
import type {
  DisconnectFault,
  FaultHandle,
  FaultTarget,
  FaultTrigger,
  InjectOptions,
  OutgoingAction,
  RuleOptions,
} from './fault-types.js';

/** Listening-socket controls the controller needs from the WebSocket server. */
export interface ServerGate {
  stopListening(): Promise<void>;
  resumeListening(): Promise<void>;
  /** While set, every new TCP connection is reset. */
  outage: boolean;
  /** While set, WebSocket upgrades get this HTTP status instead of 101. */
  upgradeStatus: number | undefined;
  live(): Iterable<SimConnection>;
  /** Resets TCP sockets that have not become a WebSocket yet (upgrade in flight). */
  resetPendingSockets(): void;
  /** Deletes a companion from the world (see `InjectOptions.removeCompanion`). */
  removeCompanion(jid: string): void;
}

interface ArmedFault {
  fault: DisconnectFault;
  trigger: Exclude<FaultTrigger, 'now'>;
  removeCompanion: boolean;
}

interface OutgoingFilter {
  match: (node: BinaryNode, conn: SimConnection) => boolean;
  action: OutgoingAction;
}

interface SlowRule {
  ms: number;
  target: FaultTarget | undefined;
}

/** What the simulator does with one client IQ instead of routing it. */
export type IqOverride = { kind: 'withhold' } | { kind: 'handle'; handler: StanzaHandler };

/**
 * Faults on demand: disconnects now or at a trigger, IQ answers withheld/replaced, a generic
 * filter on the server→client send path, frame latency, refused ports, outages and non-101
 * upgrades. Every rule can target a connection, an account or a companion.
 */
export class FaultController {
  private readonly armed: Rule<ArmedFault>[] = [];
  private readonly iqRules: Rule<{ key: string; override: IqOverride }>[] = [];
  private readonly outgoing: Rule<OutgoingFilter>[] = [];
  private readonly slow: SlowRule[] = [];

  constructor(private readonly gate: ServerGate) {}

  /** Disconnects matching connections now, or arms the fault for a later trigger. */
  inject(fault: DisconnectFault, options: InjectOptions = {}): FaultHandle {
    const trigger = options.at ?? 'now';
    const removeCompanion = options.removeCompanion ?? false;
    if (trigger !== 'now') {
      const spec = { fault, trigger, removeCompanion };
      const cancel = addRule(this.armed, spec, options.target, options.times ?? 1);
      return { cancel, applied: 0 };
    }
    let applied = 0;
    for (const conn of [...this.gate.live()]) {
      if (conn.phase !== 'transport' || !matchesTarget(conn, options.target)) continue;
      this.apply(conn, { fault, removeCompanion });
      applied++;
    }
    return { cancel: () => undefined, applied };
  }

  /** Leaves IQs with this key (`xmlns/type/child`) unanswered. */
  withholdIq(key: string, options: RuleOptions = {}): FaultHandle {
    return this.iqRule(key, { kind: 'withhold' }, options);
  }

  /** Answers IQs with this key with `<error code=… text=…/>`. */
  iqError(key: string, code: number | string, options: RuleOptions & { text?: string } = {}): FaultHandle {
    const handler: StanzaHandler = (_conn, node) => iqError(node, code, options.text);
    return this.iqRule(key, { kind: 'handle', handler }, options);
  }

  /** Answers IQs with this key with a test's own handler instead of the router's. */
  overrideIq(key: string, handler: StanzaHandler, options: RuleOptions = {}): FaultHandle {
    return this.iqRule(key, { kind: 'handle', handler }, options);
  }

  /** Drops or delays server→client stanzas the predicate accepts (acks, receipts, anything). */
  filterOutgoing(
    match: OutgoingFilter['match'],
    action: OutgoingAction,
    options: RuleOptions = {},
  ): FaultHandle {
    const cancel = addRule(this.outgoing, { match, action }, options.target, options.times ?? Infinity);
    return { cancel, applied: 0 };
  }

  /** Adds `ms` of latency to every server frame of matching connections, live and future. */
  slowFrames(ms: number, options: { target?: FaultTarget } = {}): FaultHandle {
    const rule: SlowRule = { ms, target: options.target };
    this.slow.push(rule);
    let applied = 0;
    for (const conn of this.gate.live()) {
      if (matchesTarget(conn, rule.target)) {
        conn.slowMs = ms;
        applied++;
      }
    }
    const cancel = () => {
      this.slow.splice(this.slow.indexOf(rule) >>> 0, 1);
      for (const conn of this.gate.live()) if (matchesTarget(conn, rule.target)) conn.slowMs = 0;
    };
    return { cancel, applied };
  }

  /** Closes the listening port: new clients get ECONNREFUSED (Baileys: 408). */
  refuseConnections(): Promise<void> {
    return this.gate.stopListening();
  }

  /** Listens again on the same port. */
  acceptConnections(): Promise<void> {
    return this.gate.resumeListening();
  }

  /**
   * Outage switch. On: terminates every connection at once (logged in or not; open Baileys
   * clients report 428) via `dropAll()`, and resets every new connection attempt (408) until
   * switched off. Returns how many WebSocket connections were dropped (0 when switching off).
   */
  setOutage(on: boolean): number {
    this.gate.outage = on;
    return on ? this.dropAll() : 0;
  }

  get outage(): boolean {
    return this.gate.outage;
  }

  /**
   * Terminates every live connection in any phase (TCP teardown, no close frame: Baileys 428)
   * and resets sockets still upgrading. New connections are still accepted; use `setOutage(true)`
   * to refuse them as well. Returns how many WebSocket connections were dropped.
   */
  dropAll(): number {
    const live = [...this.gate.live()];
    for (const conn of live) conn.terminate();
    this.gate.resetPendingSockets();
    return live.length;
  }

  /** Answers WebSocket upgrades with a non-101 status; Baileys then never emits `close`. */
  rejectUpgrades(status = 503): void {
    this.gate.upgradeStatus = status;
  }

  acceptUpgrades(): void {
    this.gate.upgradeStatus = undefined;
  }

  /** Disarms everything and restores normal service. */
  async clear(): Promise<void> {
    for (const list of [this.armed, this.iqRules, this.outgoing, this.slow]) list.length = 0;
    for (const conn of this.gate.live()) conn.slowMs = 0;
    this.gate.outage = false;
    this.gate.upgradeStatus = undefined;
    await this.gate.resumeListening();
  }

  // ---- called by the simulator -------------------------------------------------------------

  /** Fires an armed fault for a lifecycle trigger; true if one fired (skip normal handling). */
  fire(trigger: 'hello' | 'handshake' | 'qr' | 'open', conn: SimConnection): boolean {
    const armed = takeRule(this.armed, conn, (spec) => spec.trigger === trigger);
    if (armed) this.apply(conn, armed);
    return armed !== undefined;
  }

  /** Fires an armed stanza-triggered fault; true if one fired. */
  fireOnStanza(conn: SimConnection, node: BinaryNode): boolean {
    const armed = takeRule(
      this.armed,
      conn,
      (spec) => typeof spec.trigger === 'object' && spec.trigger.stanza(node, conn),
    );
    if (armed) this.apply(conn, armed);
    return armed !== undefined;
  }

  iqOverride(conn: SimConnection, key: string): IqOverride | undefined {
    return takeRule(this.iqRules, conn, (spec) => spec.key === key)?.override;
  }

  decideOutgoing(conn: SimConnection, node: BinaryNode): SendDecision {
    const filter = takeRule(this.outgoing, conn, (spec) => spec.match(node, conn));
    if (!filter) return { action: 'send' };
    return filter.action === 'drop' ? { action: 'drop' } : { action: 'delay', ms: filter.action.delayMs };
  }

  /** Applies slow-frame rules to a connection once it is identifiable (handshake done). */
  configure(conn: SimConnection): void {
    const rule = this.slow.findLast((r) => matchesTarget(conn, r.target));
    if (rule) conn.slowMs = rule.ms;
  }

  private apply(conn: SimConnection, spec: Pick<ArmedFault, 'fault' | 'removeCompanion'>): void {
    // Read the jid first: a terminate fault closes the connection synchronously.
    const jid = spec.removeCompanion ? claimedJid(conn) : undefined;
    applyFault(conn, spec.fault);
    if (jid) this.gate.removeCompanion(jid);
  }

  private iqRule(key: string, override: IqOverride, options: RuleOptions): FaultHandle {
    const cancel = addRule(this.iqRules, { key, override }, options.target, options.times ?? Infinity);
    return { cancel, applied: 0 };
  }
}
