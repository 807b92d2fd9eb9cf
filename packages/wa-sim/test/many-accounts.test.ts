import { describe, expect, it } from 'vitest';
import { createMemoryAuthState, type PairedClient, pairTestClient } from '../src/index.js';
import { useSimulator } from './sim-test-helpers.js';

const ACCOUNTS = 100;
/**
 * Pairings in flight at once. Every client's first login uploads 812 prekeys; seeding them from a
 * shared pool saves Baileys ~0.3 s of key generation per client (one CPU runs all 100 clients).
 */
const PARALLEL = 25;

describe('scale', () => {
  const env = useSimulator();

  it(`${ACCOUNTS} accounts paired and open at the same time on one simulator`, {
    timeout: 120_000,
  }, async () => {
    const sim = await env.start();
    const started = Date.now();
    const paired: PairedClient[] = [];
    const queue = Array.from({ length: ACCOUNTS }, (_, i) => i);
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (queue.shift() !== undefined) {
          const auth = createMemoryAuthState(undefined, { seedPreKeys: 812 });
          const result = await pairTestClient(sim, { auth, timeoutMs: 60_000 });
          env.track(result.client);
          paired.push(result);
        }
      }),
    );
    const elapsed = Date.now() - started;
    console.info(`${ACCOUNTS} accounts paired and open in ${elapsed} ms`);
    expect(paired).toHaveLength(ACCOUNTS);
    expect(sim.world.accounts()).toHaveLength(ACCOUNTS);
    expect(paired.every(({ client }) => !client.updates.some((u) => u.connection === 'close'))).toBe(true);
    expect(sim.counters.openConnections).toBe(ACCOUNTS);
    expect(sim.counters.maxConcurrentPerCompanion).toBe(1);
  });
});
