import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

// What `npm run test:e2e:balanced` relies on (E2E_API_REPLICAS=2): startApi() hands every suite
// nginx in front of that many API replicas, and their requests really are spread over them.
let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ apiReplicas: 2 });
}, 60_000);
afterAll(() => gw.close());

describe('end-to-end suites through nginx (the harness with apiReplicas: 2)', () => {
  it('startApi answers through nginx in front of two API replicas, and both serve requests', async () => {
    const api = await gw.startApi({ HEARTBEAT_INTERVAL: '500' });
    const replicas = [...gw.workers.keys()].filter((id) => id.startsWith('api-'));
    expect(replicas).toHaveLength(2);
    expect(replicas).not.toContain(`api-${new URL(api.url).port}`);
    const created = await api.call('POST', '/api/sessions', { name: 'balanced', start: false });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    for (let i = 0; i < 20; i++) expect((await api.call('GET', `/api/sessions/${id}`)).status).toBe(200);
    // Each replica reports what it served in its heartbeat (every 0.5 s here), which /api/health lists.
    const served = await gw.waitFor('both replicas reporting requests served', async () => {
      const health = (await (await api.call('GET', '/api/health')).json()) as {
        apiReplicas: Array<{ instanceId: string; served: number }>;
      };
      const counts = health.apiReplicas.map((r) => r.served);
      const total = counts.reduce((a, b) => a + b, 0);
      // Both took a share (nginx round-robin), and together all 21 requests (heartbeats lag a beat).
      return counts.length === 2 && counts.every((n) => n >= 3) && total >= 21 ? counts : undefined;
    });
    expect(served).toHaveLength(2);
  }, 60_000);
});
