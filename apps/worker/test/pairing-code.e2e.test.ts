import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
beforeAll(async () => {
  gw = await startGateway();
  api = await gw.startApi();
  await gw.startWorker('w1');
});
afterAll(() => gw.close());

describe('pairing by phone number through the API, a worker process and the simulated phone', () => {
  it('POST pairing-code → the phone types the code → 515 → the session opens; no QR was scanned', async () => {
    const created = await api.call('POST', '/api/sessions', { name: 'by-code' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await gw.waitForStatus(id, 'qr');

    const res = await api.call('POST', `/api/sessions/${id}/pairing-code`, { phone: '+15550004321' });
    expect([200, 202]).toContain(res.status);
    // 202 when the worker was slower than the API's wait: the code is then fetched with GET.
    const code =
      res.status === 200
        ? ((await res.json()) as { code: string }).code
        : await gw.waitFor('the pairing code', async () => {
            const again = await api.call('GET', `/api/sessions/${id}/pairing-code`);
            return again.ok ? ((await again.json()) as { code: string }).code : undefined;
          });

    const companion = await gw.sim.enterPairingCode('15550004321', code);
    const open = await gw.waitForStatus(id, 'open', 30_000);

    expect(companion.account.phone).toBe('15550004321');
    expect(open.meJid).toBe(companion.jid);
    expect(gw.sim.counters.pairingCodeRequests).toBe(1);
    expect(gw.sim.counters.codePairings).toBe(1);
    // Every pairing was the code's: the QR the session showed was never scanned.
    expect(gw.sim.counters.pairings).toBe(1);
    expect(gw.sim.counters.pairingCodeFailures).toBe(0);
    expect(gw.sim.counters.maxConcurrentPerCompanion).toBe(1);
    const view = (await (await api.call('GET', `/api/sessions/${id}`)).json()) as Record<string, unknown>;
    expect(view.status).toBe('open');
  }, 90_000);

  it('a stopped session asked for a code starts, gets the code on its first socket, and pairs', async () => {
    const session = await gw.db.repos.sessions.create({ name: 'stopped-by-code' });
    const before = { requests: gw.sim.counters.pairingCodeRequests, pairings: gw.sim.counters.pairings };
    const res = await api.call('POST', `/api/sessions/${session.id}/pairing-code`, { phone: '15550004322' });
    expect([200, 202]).toContain(res.status);
    const code = await gw.waitFor('the pairing code', async () => {
      const again = await api.call('GET', `/api/sessions/${session.id}/pairing-code`);
      return again.ok ? ((await again.json()) as { code: string }).code : undefined;
    });

    const companion = await gw.sim.enterPairingCode('15550004322', code);
    const open = await gw.waitForStatus(session.id, 'open', 30_000);
    expect(open.meJid).toBe(companion.jid);
    expect(gw.sim.counters.pairingCodeRequests - before.requests).toBe(1);
    expect(gw.sim.counters.pairings - before.pairings).toBe(1);
  }, 90_000);
});
