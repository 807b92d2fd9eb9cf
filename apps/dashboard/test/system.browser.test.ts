import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_REPLICAS, type Gateway, startGateway } from '../../worker/test/harness.js';
import {
  type DashboardTab,
  ensureDashboardBuilt,
  launchChromium,
  openDashboard,
  overflowsHorizontally,
  PHONE,
  screenshot,
  seriousA11yViolations,
  signIn,
} from './browser.js';

/**
 * The System view against the real gateway: health as the API reports it (a worker owning a paired
 * session), messages per minute from real sends and receipts, and API keys created and revoked from
 * the page and then used against the API.
 */
let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let browser: Browser;
let tab: DashboardTab;
let adminKey: string;
let sessionId: string;

const SENT = 3;
const RECEIVED = 2;

beforeAll(async () => {
  await ensureDashboardBuilt();
  gw = await startGateway({ workerEnv: { SEND_JITTER_MS: '0', SEND_RATE_PER_MINUTE: '600' } });
  [api] = await Promise.all([gw.startApi(), gw.startWorker('w1')]);
  const created = await api.call('POST', '/api/keys', { name: 'system e2e', sessionId: null });
  adminKey = ((await created.json()) as { key: string }).key;

  const session = await gw.createSession('reception');
  sessionId = session.id;
  await gw.pair(sessionId, 30_000);
  const carol = gw.sim.messaging.addContact({ phone: '15553334444', name: 'Carol' });
  for (let i = 0; i < SENT; i++) {
    const res = await api.call('POST', `/api/sessions/${sessionId}/messages`, {
      to: '+15553334444',
      text: `system view ${i}`,
    });
    expect(res.status).toBe(202);
  }
  await gw.waitFor(
    'the sends to be sent',
    async () =>
      (await gw.db.repos.messages.countSince(sessionId, new Date(Date.now() - 3_600_000))).sent === SENT,
    30_000,
  );
  const me = (await gw.db.repos.sessions.getById(sessionId))!.meJid!;
  for (let i = 0; i < RECEIVED; i++) await carol.sendText(me.split(/[:@]/)[0]!, `reply ${i}`);
  await gw.waitFor(
    'the replies to be stored',
    async () =>
      (await gw.db.repos.messages.countSince(sessionId, new Date(Date.now() - 3_600_000))).received ===
      RECEIVED,
    30_000,
  );

  browser = await launchChromium();
  tab = await openDashboard(browser, api.url, { hash: '#/system' });
}, 180_000);

afterAll(async () => {
  await tab?.context.close();
  await browser?.close();
  await gw?.close();
});

describe('dashboard: the System view in a real browser against the real gateway', () => {
  it('renders health: status, the API replica, the worker and the session it owns, breakers and queue depths', async () => {
    const { page } = tab;
    await signIn(page, adminKey);
    await page.getByRole('heading', { name: 'System', level: 1 }).waitFor();
    const status = page.locator('#health-status-title .badge');
    await status.waitFor({ timeout: 15_000 });
    const health = (await (await fetch(`${api.url}/api/health`)).json()) as {
      status: string;
      reasons: string[];
    };
    expect(await status.textContent()).toBe(health.status);
    for (const reason of health.reasons) await page.getByText(reason, { exact: true }).waitFor();

    // The API replicas (one, or E2E_API_REPLICAS behind nginx) report themselves through their heartbeats.
    await page.getByRole('heading', { name: `API replicas (${API_REPLICAS})` }).waitFor();
    const replica = page.locator('tr[data-api-replica^="api-"]').first();
    await replica.waitFor();
    expect(Number(await replica.locator('[data-label="Requests"]').textContent())).toBeGreaterThanOrEqual(0);

    // The session's owner: w1, or one of its peers when the suite runs with several workers.
    const owner = (await gw.ownerWorker(sessionId)).id;
    const worker = page.locator(`tr[data-worker="${owner}"]`);
    await worker.waitFor();
    await expect.poll(() => worker.locator('[data-label="Sessions"]').textContent()).toContain('1 open of 1');
    await worker.getByRole('link', { name: 'reception' }).waitFor();
    const queues = page.locator('section', { has: page.getByRole('heading', { name: 'Queue depths' }) });
    for (const name of ['session-commands', 'webhooks', 'maintenance']) {
      await queues.getByRole('rowheader', { name, exact: true }).waitFor();
    }
    await page.getByRole('heading', { name: /^Circuit breakers \(\d+\)$/ }).waitFor();
    for (const [name, href] of [
      ['Bull Board', '/admin/queues'],
      ['API documentation', '/docs'],
      ['Prometheus metrics', '/metrics'],
    ] as const) {
      expect(await page.getByRole('link', { name }).getAttribute('href')).toBe(href);
    }
  }, 60_000);

  it('charts messages per minute over the last hour, with the numbers as text', async () => {
    const { page } = tab;
    const chart = page.getByRole('img', { name: /^Messages per minute over the last hour/ });
    await chart.waitFor({ timeout: 15_000 });
    // Everything was sent and received within the last few minutes: all of it is in the hour.
    expect(await chart.getAttribute('aria-label')).toContain(
      `${SENT} sent and ${RECEIVED} received in total`,
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'system', { fullPage: true });
    await page.getByText('Show the numbers').click();
    const rows = page.locator('.chart details tbody tr');
    expect(await rows.count()).toBe(60);
    const cells = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))),
    );
    expect(cells.reduce((sum, [sent = 0]) => sum + sent, 0)).toBe(SENT);
    expect(cells.reduce((sum, [, received = 0]) => sum + received, 0)).toBe(RECEIVED);
    const drawn = await page.locator('.chart-sent').getAttribute('points');
    expect(drawn?.split(' ')).toHaveLength(60);
    // The table open: still no serious or critical accessibility problem.
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByText('Show the numbers').click();
  }, 60_000);

  it('creates a session key (shown once), which then works on its session only; revokes it', async () => {
    const { page } = tab;
    const keys = page.locator('section', { has: page.getByRole('heading', { name: 'API keys' }) });
    await keys.getByLabel('Name').fill('reception bot');
    await keys.getByLabel('May act on').selectOption({ label: 'Session reception only' });
    await keys.getByRole('button', { name: 'Create key' }).click();
    const shown = keys.locator('[data-secret]');
    await shown.waitFor();
    const key = (await shown.textContent()) ?? '';
    const as = (path: string) => fetch(`${api.url}${path}`, { headers: { 'x-api-key': key } });
    expect((await as(`/api/sessions/${sessionId}`)).status).toBe(200);
    expect((await as('/api/keys')).status).toBe(403);
    await keys.getByRole('button', { name: 'Done' }).click();
    expect(await keys.locator('[data-secret]').count()).toBe(0);

    const row = keys.locator('tr', { hasText: 'reception bot' });
    expect(await row.locator('[data-label="Scope"]').textContent()).toBe('Session reception');
    await row.getByRole('button', { name: 'Revoke key reception bot' }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await row.locator('.badge', { hasText: 'revoked' }).waitFor();
    expect((await as(`/api/sessions/${sessionId}`)).status).toBe(401);

    // Bad input: the API's code and message.
    await keys.getByLabel('Name').fill('   ');
    await keys.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => keys.getByRole('alert').first().textContent()).toMatch(/^VALIDATION_FAILED: /);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.setViewportSize(PHONE);
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'system-360');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(tab.problems).toEqual([]);
  }, 60_000);
});
