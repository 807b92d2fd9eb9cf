import { describe, expect, it } from 'vitest';
import {
  createMemoryAuthState,
  createTestClient,
  DEVICE_REMOVED_FAULT,
  pairTestClient,
} from '../src/index.js';
import { useSimulator } from './sim-test-helpers.js';

describe('device removed by the phone', () => {
  const env = useSimulator();

  it('device_removed with removeCompanion, or sim.removeCompanion(): 401, then the creds get 401', async () => {
    const sim = await env.start();
    const [a, b] = await Promise.all(
      [0, 1].map(() => pairTestClient(sim, { auth: createMemoryAuthState(undefined, { seedPreKeys: 812 }) })),
    );
    env.track(a!.client);
    env.track(b!.client);

    const handle = sim.faults.inject(DEVICE_REMOVED_FAULT, {
      target: { companionJid: a!.companion.jid },
      removeCompanion: true,
    });
    expect(handle.applied).toBe(1);
    expect((await a!.client.waitForClose()).statusCode).toBe(401);
    expect(sim.world.companion(a!.companion.jid)).toBeUndefined();

    const removed = sim.waitForEvent('companion-removed');
    expect(sim.removeCompanion(b!.companion.jid)).toBe(b!.companion);
    expect((await removed)[0]).toBe(b!.companion);
    expect((await b!.client.waitForClose()).statusCode).toBe(401);

    for (const { client } of [a!, b!]) {
      const again = env.track(createTestClient(sim, { auth: client.auth }));
      const closed = await again.waitForClose();
      expect(closed.statusCode).toBe(401);
      expect(closed.message).toBe('Connection Failure');
    }
    expect(sim.counters.loginFailures).toBe(2);
  });
});
