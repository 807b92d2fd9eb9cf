import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../worker/test/harness.js';
import {
  ensureDashboardBuilt,
  launchChromium,
  openDashboard,
  seriousA11yViolations,
  signIn,
  waitForLive,
} from './browser.js';

/**
 * Who sees what, and what happens to a page when its cookie or its API goes away: per-session
 * keys, deleting, signing out, a revoked key, and an API restart behind a fixed address.
 */
let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let browser: Browser;
let adminKey: string;
const ids: Record<'alpha' | 'beta', string> = { alpha: '', beta: '' };

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

beforeAll(async () => {
  await ensureDashboardBuilt();
  gw = await startGateway();
  api = await gw.startApi();
  adminKey = (
    await json<{ key: string }>(api.call('POST', '/api/keys', { name: 'admin e2e', sessionId: null }))
  ).key;
  for (const name of ['alpha', 'beta'] as const) {
    // Not started: these tests need rows, not WhatsApp.
    ids[name] = (await json<{ id: string }>(api.call('POST', '/api/sessions', { name, start: false }))).id;
  }
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

describe('dashboard: access, sign-out and surviving the API', () => {
  it('a per-session key sees only its session, in the page and at the API', async () => {
    const created = await json<{ id: string; key: string }>(
      api.call('POST', '/api/keys', { name: 'alpha only', sessionId: ids.alpha }),
    );
    const { context, page } = await openDashboard(browser, api.url);
    try {
      await signIn(page, created.key);
      await page.locator(`tr[data-session-id="${ids.alpha}"]`).waitFor();
      expect(await page.locator('tr[data-session-id]').count()).toBe(1);
      // Admin-only things are not offered.
      expect(await page.getByRole('link', { name: 'System' }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'New session' }).count()).toBe(0);
      expect(await page.getByText(`Session ${ids.alpha}`).count()).toBe(1);
      expect(await seriousA11yViolations(page)).toEqual([]);

      // Another session's URL: the page shows the API's refusal.
      await page.goto(`${api.url}/dashboard/#/sessions/${ids.beta}`);
      await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/^FORBIDDEN: /);
      // The same cookie at the API itself.
      const other = await context.request.get(`/api/sessions/${ids.beta}`);
      expect(other.status()).toBe(403);
      expect((await other.json()).code).toBe('FORBIDDEN');
      const list = (await (await context.request.get('/api/sessions')).json()) as { items: { id: string }[] };
      expect(list.items.map((s) => s.id)).toEqual([ids.alpha]);
      expect((await context.request.get(`/api/sessions/${ids.alpha}`)).status()).toBe(200);

      // Revoking the key ends the page's session at its next request.
      expect((await api.call('DELETE', `/api/keys/${created.id}`)).status).toBe(204);
      await page.goto(`${api.url}/dashboard/#/sessions`);
      await page.getByRole('heading', { name: 'Sign in to wagw' }).waitFor({ timeout: 15_000 });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('deletes a session after a confirmation, and signs out', async () => {
    const { context, page } = await openDashboard(browser, api.url);
    try {
      await signIn(page, adminKey);
      const row = page.locator(`tr[data-session-id="${ids.beta}"]`);
      await row.waitFor();
      await row.getByRole('button', { name: 'Delete beta' }).click();
      // Asked first; the confirming button has the focus, so Enter confirms.
      const confirm = row.getByRole('button', { name: 'Yes, delete' });
      await expect.poll(() => confirm.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press('Enter');
      await row.waitFor({ state: 'detached', timeout: 15_000 });
      expect((await api.call('GET', `/api/sessions/${ids.beta}`)).status).toBe(404);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to wagw' }).waitFor();
      // The cookie is gone: a reload stays signed out.
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in to wagw' }).waitFor();
      expect((await context.request.get('/api/sessions')).status()).toBe(401);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('a cookie that stops working sends the page back to sign-in', async () => {
    const { context, page } = await openDashboard(browser, api.url);
    try {
      await signIn(page, adminKey);
      await waitForLive(page);
      await page.locator(`tr[data-session-id="${ids.alpha}"]`).waitFor();
      const [cookie] = await context.cookies();
      expect(cookie).toBeDefined();
      // A forged value: same name, not signed by the API.
      await context.addCookies([{ ...cookie!, value: `${cookie!.value.slice(0, -4)}AAAA` }]);
      // The next request the page makes (opening a session) is refused with 401.
      await page.evaluate((id) => {
        window.location.hash = `#/sessions/${id}`;
      }, ids.alpha);
      await page.getByRole('heading', { name: 'Sign in to wagw' }).waitFor({ timeout: 15_000 });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('survives an API restart: the stream reconnects and the page catches up without a reload', async () => {
    // A fixed address in front of the API, as a load balancer would be; the API behind it changes.
    // An API process of this test's own (one process even when E2E_API_REPLICAS balances `api`).
    let target = new URL((await gw.startApiReplica()).url);
    const sockets = new Set<Socket>();
    const front: Server = createServer((client) => {
      const server = connect(Number(target.port), target.hostname);
      sockets.add(client).add(server);
      client.pipe(server).pipe(client);
      // While no API listens, the connection fails and the browser retries, as with a real restart.
      const end = () => {
        client.destroy();
        server.destroy();
        sockets.delete(client);
        sockets.delete(server);
      };
      client.on('error', end).on('close', end);
      server.on('error', end).on('close', end);
    });
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
    const frontUrl = `http://127.0.0.1:${(front.address() as { port: number }).port}`;
    const { context, page } = await openDashboard(browser, frontUrl);
    try {
      await signIn(page, adminKey);
      await waitForLive(page);
      await page.locator(`tr[data-session-id="${ids.alpha}"]`).waitFor();
      await page.evaluate(() => {
        document.documentElement.dataset.e2eMark = 'kept';
      });

      const old = [...gw.workers.entries()].find(([id]) => id === `api-${target.port}`)!;
      old[1].kill('SIGTERM');
      await once(old[1], 'exit');
      await page.locator('.stream-reconnecting').waitFor({ timeout: 15_000 });
      // Written while no API runs: no event will ever tell the page; only catching up shows it.
      const made = await gw.db.repos.sessions.create({ name: 'made while down' });

      const next = await gw.startApiReplica();
      target = new URL(next.url);
      const restarted = Date.now();
      await waitForLive(page);
      await page.locator(`tr[data-session-id="${made.id}"]`).waitFor({ timeout: 15_000 });
      console.log(`page live again and caught up ${Date.now() - restarted} ms after the new API was ready`);
      expect(await page.evaluate(() => document.documentElement.dataset.e2eMark)).toBe('kept');
    } finally {
      await context.close();
      for (const socket of sockets) socket.destroy();
      front.close();
    }
  }, 90_000);
});
