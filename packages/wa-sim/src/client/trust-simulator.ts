import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';

/** The part of a simulator a client needs; a plain object works for a simulator in another process. */
export interface SimulatorEndpoint {
  url: string;
  rootPublicKey: Uint8Array;
}

/**
 * Makes this process's Baileys trust the simulator's certificate root. Baileys reads
 * `WA_CERT_DETAILS.PUBLIC_KEY` at every handshake, so assigning it before connecting is enough.
 * It affects every Baileys socket of this module instance (and a test-runner module registry is
 * one instance per test file), so only call it in tests and in processes pointed at a simulator.
 */
function trustSimulatorRoot(rootPublicKey: Uint8Array): void {
  if (rootPublicKey.length !== 32) throw new Error('root public key must be 32 bytes');
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootPublicKey);
}

/** Trusts the simulator and returns the socket config that points Baileys at it. */
export function simulatorSocketConfig(endpoint: SimulatorEndpoint): { waWebSocketUrl: string } {
  trustSimulatorRoot(endpoint.rootPublicKey);
  return { waWebSocketUrl: endpoint.url };
}
