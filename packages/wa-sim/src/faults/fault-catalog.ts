import type { DisconnectFault } from './fault-types.js';

/** One row of the failure table: a server action and the status Baileys rc14 reports for it. */
export interface FaultCatalogEntry {
  name: string;
  fault: DisconnectFault;
  /** `lastDisconnect.error.output.statusCode` Baileys reports. */
  expectedStatus: number;
  /** Baileys' error message, for assertions and docs. */
  message: string;
}

/**
 * What WhatsApp sends a linked device the phone removed (Baileys: 401 `loggedOut`). Inject it
 * with `removeCompanion: true` (or call `sim.removeCompanion(jid)`) so the creds stop working too.
 */
export const DEVICE_REMOVED_FAULT = {
  kind: 'stream-error',
  code: '401',
  child: { tag: 'conflict', attrs: { type: 'device_removed' } },
} as const satisfies DisconnectFault;

/**
 * The node- and socket-level faults with their observed outcome. Transport-level rows (never
 * answering hello, closed port, non-101 upgrade) use `at: 'hello'`, `refuseConnections()` and
 * `rejectUpgrades()` instead, see the README.
 */
export const FAULT_CATALOG = [
  {
    name: 'restart required',
    fault: { kind: 'stream-error', code: '515' },
    expectedStatus: 515,
    message: 'Stream Errored (restart required)',
  },
  {
    name: 'failure 401',
    fault: { kind: 'failure', reason: '401' },
    expectedStatus: 401,
    message: 'Connection Failure',
  },
  {
    name: 'failure 403',
    fault: { kind: 'failure', reason: '403' },
    expectedStatus: 403,
    message: 'Connection Failure',
  },
  {
    name: 'replaced',
    fault: { kind: 'stream-error', child: { tag: 'conflict', attrs: { type: 'replaced' } } },
    expectedStatus: 440,
    message: 'Stream Errored (conflict)',
  },
  {
    name: 'device removed',
    fault: DEVICE_REMOVED_FAULT,
    expectedStatus: 401,
    message: 'Stream Errored (conflict)',
  },
  {
    name: 'stream error 503',
    fault: { kind: 'stream-error', code: '503' },
    expectedStatus: 503,
    message: 'Stream Errored (unknown)',
  },
  {
    name: 'stream error, other child',
    fault: { kind: 'stream-error', child: { tag: 'ack', attrs: {} } },
    expectedStatus: 500,
    message: 'Stream Errored (ack)',
  },
  {
    name: 'xmlstreamend',
    fault: { kind: 'xmlstreamend' },
    expectedStatus: 428,
    message: 'Connection Terminated by Server',
  },
  {
    name: 'abrupt close',
    fault: { kind: 'terminate' },
    expectedStatus: 428,
    message: 'Connection Terminated',
  },
  { name: 'clean close', fault: { kind: 'close' }, expectedStatus: 428, message: 'Connection Terminated' },
] as const satisfies readonly FaultCatalogEntry[];
