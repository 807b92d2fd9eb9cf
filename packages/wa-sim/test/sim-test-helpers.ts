import { afterEach } from 'vitest';
import { type SimulatorOptions, startSimulator, type TestClient, type WaSimulator } from '../src/index.js';

/** Simulators and clients opened by a test, torn down after it whatever happened. */
export function useSimulator() {
  const sims: WaSimulator[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.end()));
    await Promise.all(sims.splice(0).map((sim) => sim.close()));
  });
  return {
    async start(options?: SimulatorOptions): Promise<WaSimulator> {
      const sim = await startSimulator(options);
      sims.push(sim);
      return sim;
    },
    track<T extends TestClient>(client: T): T {
      clients.push(client);
      return client;
    },
  };
}
