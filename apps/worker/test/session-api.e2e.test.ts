import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

// jsqr is CommonJS typed as an ES default export; at runtime the callable sits on `.default`.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = (jsQRModule as unknown as { default: Decode }).default;

let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
beforeAll(async () => {
  gw = await startGateway();
  api = await gw.startApi();
  await gw.startWorker('api-worker');
});
afterAll(() => gw.close());

async function json(res: Response) {
  return (await res.json()) as Record<string, unknown>;
}

async function waitForApiStatus(id: string, status: string) {
  return gw.waitFor(`API to show ${id} ${status}`, async () => {
    const view = await json(await api.call('GET', `/api/sessions/${id}`));
    return view.status === status ? view : undefined;
  });
}

describe('sessions through the API, the worker and the simulator', () => {
  it('create → QR as PNG (decodes to the same string) → scan → open; a 403 shows status and reason', async () => {
    const created = await api.call('POST', '/api/sessions', { name: 'through-api' });
    expect(created.status).toBe(201);
    const { id } = (await json(created)) as { id: string };
    await waitForApiStatus(id, 'qr');

    const raw = await gw.waitFor('raw QR', async () => {
      const res = await api.call('GET', `/api/sessions/${id}/qr?format=raw`);
      return res.ok ? res.text() : undefined;
    });
    const png = await api.call('GET', `/api/sessions/${id}/qr?format=png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const image = PNG.sync.read(Buffer.from(await png.arrayBuffer()));
    const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(decoded?.data).toBe(raw);

    await gw.sim.scan(decoded!.data);
    const open = await waitForApiStatus(id, 'open');
    expect(open.me).toMatchObject({ jid: expect.stringMatching(/@s\.whatsapp\.net$/) });
    expect((await api.call('GET', `/api/sessions/${id}/qr`)).status).toBe(404);

    const me = (open.me as { jid: string }).jid;
    gw.sim.faults.inject({ kind: 'failure', reason: '403' }, { target: { companionJid: me } });
    const failed = await waitForApiStatus(id, 'failed');
    // Baileys reports a <failure> node as a 'Connection Failure' with the node's reason as its code.
    expect(failed).toMatchObject({ lastDisconnectCode: 403, statusReason: 'Connection Failure' });
    const history = (await json(await api.call('GET', `/api/sessions/${id}/events`))).items as Array<{
      toStatus: string;
    }>;
    expect(history.map((e) => e.toStatus)).toEqual(expect.arrayContaining(['qr', 'open', 'failed']));

    // A person starts it again: the failed session is revived and logs in with its stored auth.
    expect((await api.call('POST', `/api/sessions/${id}/start`)).status).toBe(202);
    await waitForApiStatus(id, 'open');
  }, 60_000);

  it('logout through the API unlinks the device on WhatsApp and clears the auth state', async () => {
    const { id } = (await json(await api.call('POST', '/api/sessions', { name: 'to-logout' }))) as {
      id: string;
    };
    await gw.pair(id);
    const me = (await gw.db.repos.sessions.getById(id))!.meJid!;
    expect((await api.call('POST', `/api/sessions/${id}/logout`)).status).toBe(202);
    await waitForApiStatus(id, 'logged_out');
    expect(await gw.db.repos.authState.getCreds(id)).toBeNull();
    expect(gw.sim.world.companion(me)).toBeUndefined();
  }, 60_000);

  it('a pairing code requested through the API is issued by the worker holding the unpaired socket', async () => {
    const { id } = (await json(await api.call('POST', '/api/sessions', { name: 'by-code' }))) as {
      id: string;
    };
    await waitForApiStatus(id, 'qr');
    const res = await api.call('POST', `/api/sessions/${id}/pairing-code`, { phone: '+15550001234' });
    expect(res.status).toBe(200);
    const { code } = (await json(res)) as { code: string };
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    // Baileys announced the code flow to the (simulated) server for that number.
    const hello = await gw.sim.waitFor(
      (entry) => entry.direction === 'in' && JSON.stringify(entry.node).includes('link_code_companion_reg'),
      { timeout: 5000, includePast: true },
    );
    expect(JSON.stringify(hello.node)).toContain('15550001234@s.whatsapp.net');
  }, 60_000);
});
