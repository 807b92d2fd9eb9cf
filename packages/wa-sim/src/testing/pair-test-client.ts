import type { ScanOptions } from '../flows/pairing.js';
import type { WaSimulator } from '../wa-simulator.js';
import type { Companion } from '../world/world-types.js';
import { createMemoryAuthState } from './memory-auth-state.js';
import { createTestClient, type TestClient, type TestClientOptions } from './test-client.js';

export interface PairedClient {
  /** The logged-in client (second socket, after the 515 restart), already `open`. */
  client: TestClient;
  companion: Companion;
  /** Milliseconds from the first socket's creation to `open` on the second. */
  pairToOpenMs: number;
  /** Milliseconds from the second socket's creation to `open`. */
  loginToOpenMs: number;
}

/**
 * The whole QR journey: register, scan, 515 restart, log in from the same creds, `open`.
 * This is what a gateway's reconnect logic does after `restartRequired`.
 */
export async function pairTestClient(
  sim: WaSimulator,
  options: TestClientOptions & { scan?: ScanOptions; timeoutMs?: number } = {},
): Promise<PairedClient> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const auth = options.auth ?? createMemoryAuthState();
  const first = createTestClient(sim, { ...options, auth });
  try {
    const qr = await first.waitForQr(timeoutMs);
    const [companion, closed] = await Promise.all([
      sim.scan(qr, options.scan),
      first.waitForClose(timeoutMs),
    ]);
    if (closed.statusCode !== 515) throw new Error(`expected 515 after pairing, got ${closed.statusCode}`);
    const client = createTestClient(sim, { ...options, auth });
    try {
      const loginToOpenMs = await client.waitForOpen(timeoutMs);
      return { client, companion, pairToOpenMs: Date.now() - first.createdAt, loginToOpenMs };
    } catch (error) {
      await client.end();
      throw error;
    }
  } finally {
    await first.end();
  }
}
